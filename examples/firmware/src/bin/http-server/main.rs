//! The device status page served over the network, the way a device would:
//! the same `static` registry recorded from SysTick, and an HTTP server on
//! port 80 built on smoltcp over the board's LAN9118 Ethernet controller.
//! Each request's `Accept` header picks the format; the page is rendered
//! into a fixed buffer per request. No heap anywhere.
//!
//! It runs on the MPS2 AN385 (Cortex-M3) or AN386 (Cortex-M4F) under QEMU,
//! with QEMU's user networking, which puts the guest at 10.0.2.15 and
//! forwards a host port to it:
//!
//! ```text
//! cargo build --release --features net --bin http-server --target thumbv7m-none-eabi
//! qemu-system-arm -cpu cortex-m3 -machine mps2-an385 -nographic \
//!   -semihosting-config enable=on,target=native \
//!   -nic user,model=lan9118,hostfwd=tcp:127.0.0.1:9464-10.0.2.15:80 \
//!   -kernel target/thumbv7m-none-eabi/release/http-server
//! curl http://127.0.0.1:9464/metrics
//! ```
#![no_std]
#![no_main]

#[path = "../../halt.rs"]
mod halt;
mod lan9118;
#[path = "../../stack.rs"]
mod stack;

use core::cell::Cell;

use cortex_m::interrupt::{self, Mutex};
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::{entry, exception};
use cortex_m_semihosting::hprintln;
use device_status_page::{Device, accept_header, http_response};
use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet, SocketStorage};
use smoltcp::socket::tcp;
use smoltcp::time::{Duration, Instant};
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpCidr, Ipv4Address};

use halt::fail;
use lan9118::Lan9118;

/// The address QEMU's user networking gives the guest, and its gateway.
const ADDRESS: Ipv4Address = Ipv4Address::new(10, 0, 2, 15);
const GATEWAY: Ipv4Address = Ipv4Address::new(10, 0, 2, 2);
const PORT: u16 = 80;
/// Connections served at once: a scrape and one spare.
const CONNECTIONS: usize = 2;
/// The largest answer: the page's socket send buffer and render buffer.
const ANSWER: usize = 3072;
/// A request head is read up to this size; the `Accept` header is all the
/// page needs from it.
const HEAD: usize = 1024;
/// Time a client gets to send its request head, and then to take its
/// answer and close, before the server aborts the connection: with two
/// connections, a client must not hold one for long.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(5);
/// The MPS2 boards' system clock; SysTick counts it down once a millisecond.
const SYSCLK_HZ: u32 = 25_000_000;

/// Milliseconds since boot: smoltcp's clock.
static MILLIS: Mutex<Cell<u64>> = Mutex::new(Cell::new(0));
static DEVICE: Mutex<Cell<Option<Device>>> = Mutex::new(Cell::new(None));

fn now() -> Instant {
    Instant::from_millis(interrupt::free(|cs| MILLIS.borrow(cs).get()) as i64)
}

/// Where one connection is in its exchange.
#[derive(Clone, Copy)]
enum Exchange {
    /// Reading the request head, since a client connected (or the socket
    /// started listening).
    ReadingHead { since: Instant },
    /// Answered and closing: waiting for the client to take the answer
    /// and close its side.
    Answered { since: Instant },
}

/// One listening socket and its exchange.
struct Connection {
    handle: SocketHandle,
    exchange: Exchange,
    head: [u8; HEAD],
    head_len: usize,
}

impl Connection {
    /// Moves the exchange on. `page` is the render buffer all connections
    /// share: an answer is queued whole as soon as it is rendered (the send
    /// buffer is as large), so it is free again when this returns.
    fn poll(&mut self, socket: &mut tcp::Socket, now: Instant, page: &mut [u8; ANSWER]) {
        if !socket.is_open() {
            // Closed, never opened, or in TIME-WAIT (which smoltcp would
            // hold for 10 s): listen again for the next client.
            if socket.listen(PORT).is_err() {
                fail("cannot listen");
            }
            self.exchange = Exchange::ReadingHead { since: now };
            self.head_len = 0;
            return;
        }
        if matches!(socket.state(), tcp::State::Listen | tcp::State::SynReceived) {
            // No client yet: its time starts once it is connected.
            self.exchange = Exchange::ReadingHead { since: now };
            return;
        }
        match self.exchange {
            Exchange::ReadingHead { since } => {
                if socket.can_recv() {
                    let free = &mut self.head[self.head_len..];
                    let taken = socket
                        .recv(|data| {
                            let n = data.len().min(free.len());
                            free[..n].copy_from_slice(&data[..n]);
                            (n, n)
                        })
                        .unwrap_or(0);
                    self.head_len += taken;
                }
                let head = &self.head[..self.head_len];
                let complete = head.windows(4).any(|w| w == b"\r\n\r\n")
                    || head.windows(2).any(|w| w == b"\n\n");
                if complete || self.head_len == HEAD {
                    // A head longer than the buffer is answered from the
                    // headers that fit.
                    const ERROR: &[u8] = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                    let answer = http_response(accept_header(head), page).unwrap_or(ERROR);
                    // A fresh connection's send buffer is empty and as large
                    // as any answer: it takes the whole answer now.
                    if socket.send_slice(answer) != Ok(answer.len()) {
                        socket.abort();
                        return;
                    }
                    // `Connection: close`: the server ends the connection
                    // (its FIN follows the answer's last byte).
                    socket.close();
                    self.exchange = Exchange::Answered { since: now };
                } else if !socket.may_recv() || now - since > CLIENT_TIMEOUT {
                    // Gone, or too slow, before a whole head: nothing to
                    // answer.
                    socket.abort();
                }
            }
            Exchange::Answered { since } => {
                // Whatever the client sends now is not read: drop it.
                if socket.can_recv() {
                    let _ = socket.recv(|data| (data.len(), ()));
                }
                // Once both sides have closed, smoltcp counts the socket
                // in TIME-WAIT as not open, and the top of this function
                // listens again at once. A client that neither takes its
                // answer nor closes loses the connection after the timeout.
                if now - since > CLIENT_TIMEOUT {
                    socket.abort();
                }
            }
        }
    }
}

#[entry]
fn main() -> ! {
    stack::paint();
    let mut core = cortex_m::Peripherals::take().unwrap_or_else(|| fail("peripherals taken twice"));
    let device = Device::register().unwrap_or_else(|_| fail("registration failed"));
    interrupt::free(|cs| DEVICE.borrow(cs).set(Some(device)));

    core.SYST.set_clock_source(SystClkSource::Core);
    core.SYST.set_reload(SYSCLK_HZ / 1000 - 1);
    core.SYST.clear_current();
    core.SYST.enable_counter();
    core.SYST.enable_interrupt();

    let mut ethernet = Lan9118::new(lan9118::MPS2_BASE).unwrap_or_else(|e| match e {
        lan9118::InitError::NotFound => fail("no LAN9118 (run on mps2-an385 or mps2-an386)"),
        lan9118::InitError::Timeout => fail("the LAN9118 did not answer"),
    });
    let mac = EthernetAddress(ethernet.mac_address());
    let mut config = Config::new(HardwareAddress::Ethernet(mac));
    config.random_seed = 0x6f74_656c_2d70_726f;
    let mut iface = Interface::new(config, &mut ethernet, now());
    iface.update_ip_addrs(|addresses| {
        if addresses.push(IpCidr::new(ADDRESS.into(), 24)).is_err() {
            fail("no room for the address");
        }
    });
    if iface.routes_mut().add_default_ipv4_route(GATEWAY).is_err() {
        fail("no room for the route");
    }

    // Socket buffers: a request head fits the receive side, a whole page
    // the send side, so an answer is queued at once.
    let mut rx = [[0u8; HEAD]; CONNECTIONS];
    let mut tx = [[0u8; ANSWER]; CONNECTIONS];
    let mut page = [0u8; ANSWER];
    let mut storage = [SocketStorage::EMPTY; CONNECTIONS];
    let mut sockets = SocketSet::new(&mut storage[..]);
    let mut connections: [Option<Connection>; CONNECTIONS] = [const { None }; CONNECTIONS];
    for ((rx, tx), slot) in rx.iter_mut().zip(tx.iter_mut()).zip(connections.iter_mut()) {
        let socket = tcp::Socket::new(
            tcp::SocketBuffer::new(&mut rx[..]),
            tcp::SocketBuffer::new(&mut tx[..]),
        );
        *slot = Some(Connection {
            handle: sockets.add(socket),
            exchange: Exchange::ReadingHead { since: now() },
            head: [0; HEAD],
            head_len: 0,
        });
    }

    hprintln!(
        "serving the device status page on http://{}:{}/metrics",
        ADDRESS,
        PORT
    );
    let mut deepest = 0;
    loop {
        let at = now();
        iface.poll(at, &mut ethernet, &mut sockets);
        for connection in connections.iter_mut().flatten() {
            let socket = sockets.get_mut::<tcp::Socket>(connection.handle);
            connection.poll(socket, at, &mut page);
        }
        iface.poll(at, &mut ethernet, &mut sockets);
        // What the server needs in RAM besides its statics: its buffers
        // live on the stack. Told whenever a request took it deeper.
        let used = stack::high_water();
        if used > deepest {
            deepest = used;
            hprintln!("stack high-water mark: {} B of {} B", used, stack::size());
        }
        // Until the next millisecond tick: received frames wait in the
        // controller's FIFO meanwhile.
        cortex_m::asm::wfi();
    }
}

#[exception]
fn SysTick() {
    let n = interrupt::free(|cs| {
        let millis = MILLIS.borrow(cs);
        millis.set(millis.get() + 1);
        millis.get()
    });
    // The page's own recording, as in the self-checking firmware: every
    // 10 ms, so its counts look like the host simulation's.
    if n % 10 == 0
        && let Some(device) = interrupt::free(|cs| DEVICE.borrow(cs).get())
    {
        // Recording never fails here: the series fit the registry.
        let _ = device.on_tick(n / 10);
    }
}
