//! The SMSC LAN9118 (LAN9220 on real MPS2 boards) as a smoltcp `Device`:
//! Ethernet frames through the chip's FIFOs, polled, no interrupts.
//!
//! Only what a status page needs: reset, enable the MAC, move whole frames
//! in and out. Register offsets and bits are the datasheet's.

use core::ptr::{read_volatile, write_volatile};

use smoltcp::phy::{Device, DeviceCapabilities, Medium, RxToken, TxToken};
use smoltcp::time::Instant;

/// Where the MPS2 AN385/AN386 boards map the controller.
pub const MPS2_BASE: usize = 0x4020_0000;

const RX_DATA_FIFO: usize = 0x00;
const TX_DATA_FIFO: usize = 0x20;
const RX_STATUS_FIFO: usize = 0x40;
const ID_REV: usize = 0x50;
const BYTE_TEST: usize = 0x64;
const TX_CFG: usize = 0x70;
const HW_CFG: usize = 0x74;
const RX_FIFO_INF: usize = 0x7c;
const TX_FIFO_INF: usize = 0x80;
const MAC_CSR_CMD: usize = 0xa4;
const MAC_CSR_DATA: usize = 0xa8;

const HW_CFG_SRST: u32 = 1;
const TX_CFG_TX_ON: u32 = 1 << 1;
const MAC_CSR_BUSY: u32 = 1 << 31;
const MAC_CSR_READ: u32 = 1 << 30;
const MAC_CR: u32 = 1;
const MAC_ADDRH: u32 = 2;
const MAC_ADDRL: u32 = 3;
const MAC_CR_TXEN: u32 = 1 << 3;
const MAC_CR_RXEN: u32 = 1 << 2;
/// TX command A: this buffer is the frame's first and last segment.
const TX_FIRST_AND_LAST: u32 = (1 << 13) | (1 << 12);

/// The largest frame handled: a full Ethernet frame without its CRC.
const FRAME: usize = 1514;
/// Polls of a status bit before the controller counts as stuck: far more
/// than any operation takes, so a wait can never hang the device.
const SPINS: u32 = 1_000_000;

/// Why the controller could not be brought up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitError {
    /// Nothing answering like a LAN9118 at the address.
    NotFound,
    /// The soft reset, or an access to the MAC's registers, never
    /// finished.
    Timeout,
}

/// Polls `done` until it holds, at most `SPINS` times: whether it did.
fn spin_until(mut done: impl FnMut() -> bool) -> bool {
    (0..SPINS).any(|_| done())
}

/// The controller's registers at a base address.
#[derive(Clone, Copy)]
struct Registers(usize);

impl Registers {
    fn read(self, offset: usize) -> u32 {
        // SAFETY: `self.0` is the base of the controller's 256-byte register
        // block (checked by `Lan9118::new` through its ID and byte-order
        // registers) and every offset used is a word-aligned register in
        // it. Reads of its FIFO registers pop them, which is why every read
        // is volatile and none is repeated or elided.
        unsafe { read_volatile((self.0 + offset) as *const u32) }
    }

    fn write(self, offset: usize, value: u32) {
        // SAFETY: as in `read`: a word-aligned register of the controller's
        // block; a volatile write is the register access itself.
        unsafe { write_volatile((self.0 + offset) as *mut u32, value) }
    }

    fn mac_ready(self) -> Result<(), InitError> {
        match spin_until(|| self.read(MAC_CSR_CMD) & MAC_CSR_BUSY == 0) {
            true => Ok(()),
            false => Err(InitError::Timeout),
        }
    }

    fn mac_read(self, register: u32) -> Result<u32, InitError> {
        self.mac_ready()?;
        self.write(MAC_CSR_CMD, MAC_CSR_BUSY | MAC_CSR_READ | register);
        self.mac_ready()?;
        Ok(self.read(MAC_CSR_DATA))
    }

    fn mac_write(self, register: u32, value: u32) -> Result<(), InitError> {
        self.mac_ready()?;
        self.write(MAC_CSR_DATA, value);
        self.write(MAC_CSR_CMD, MAC_CSR_BUSY | register);
        self.mac_ready()
    }
}

/// The controller, with one frame buffer each way.
pub struct Lan9118 {
    registers: Registers,
    mac_address: [u8; 6],
    rx: [u8; FRAME],
    tx: [u8; FRAME],
}

impl Lan9118 {
    /// Resets the controller at `base` and starts its transmitter and
    /// receiver.
    pub fn new(base: usize) -> Result<Self, InitError> {
        let registers = Registers(base);
        if registers.read(BYTE_TEST) != 0x8765_4321 || registers.read(ID_REV) >> 16 != 0x0118 {
            return Err(InitError::NotFound);
        }
        registers.write(HW_CFG, HW_CFG_SRST);
        if !spin_until(|| registers.read(HW_CFG) & HW_CFG_SRST == 0) {
            return Err(InitError::Timeout);
        }
        registers.write(TX_CFG, TX_CFG_TX_ON);
        // Exact address filtering (not promiscuous), broadcasts accepted.
        registers.mac_write(MAC_CR, MAC_CR_TXEN | MAC_CR_RXEN)?;
        // The station address the controller loaded from its EEPROM.
        let low = registers.mac_read(MAC_ADDRL)?.to_le_bytes();
        let high = registers.mac_read(MAC_ADDRH)?.to_le_bytes();
        Ok(Lan9118 {
            registers,
            mac_address: [low[0], low[1], low[2], low[3], high[0], high[1]],
            rx: [0; FRAME],
            tx: [0; FRAME],
        })
    }

    /// The station address the controller loaded from its EEPROM.
    pub fn mac_address(&self) -> [u8; 6] {
        self.mac_address
    }

    /// Takes the next received frame into `self.rx`: its length, or `None`
    /// when none is waiting. Frames too long for the buffer are read and
    /// dropped (the FIFO must be emptied of them either way).
    fn receive_frame(&mut self) -> Option<usize> {
        let r = self.registers;
        while (r.read(RX_FIFO_INF) >> 16) & 0xff != 0 {
            let status = r.read(RX_STATUS_FIFO);
            // The length counts the 4 bytes of CRC at the end.
            let with_crc = ((status >> 16) & 0x3fff) as usize;
            let errors = status & (1 << 15) != 0;
            let len = with_crc.saturating_sub(4);
            let keep = !errors && (14..=FRAME).contains(&len);
            for word in 0..with_crc.div_ceil(4) {
                let bytes = r.read(RX_DATA_FIFO).to_le_bytes();
                let at = word * 4;
                if keep && at < len {
                    let n = (len - at).min(4);
                    self.rx[at..at + n].copy_from_slice(&bytes[..n]);
                }
            }
            if keep {
                return Some(len);
            }
        }
        None
    }
}

/// Sends `frame` (at most `FRAME` bytes) through the TX FIFO, once it has
/// room for it. A FIFO that never makes room loses the frame, as a busy
/// link would: TCP sends it again.
fn send_frame(r: Registers, frame: &[u8]) {
    let len = frame.len() as u32;
    // The command words and the data, in bytes.
    let needed = 8 + frame.len().div_ceil(4) * 4;
    if !spin_until(|| (r.read(TX_FIFO_INF) & 0xffff) as usize >= needed) {
        return;
    }
    r.write(TX_DATA_FIFO, TX_FIRST_AND_LAST | len);
    r.write(TX_DATA_FIFO, len);
    for chunk in frame.chunks(4) {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        r.write(TX_DATA_FIFO, u32::from_le_bytes(word));
    }
}

/// A received frame, lent to smoltcp.
pub struct Lan9118Rx<'a>(&'a [u8]);

/// Room for one frame to send.
pub struct Lan9118Tx<'a> {
    registers: Registers,
    buffer: &'a mut [u8; FRAME],
}

impl RxToken for Lan9118Rx<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(self.0)
    }
}

impl TxToken for Lan9118Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        // smoltcp never asks for more than the MTU from `capabilities`.
        let frame = &mut self.buffer[..len.min(FRAME)];
        let result = f(frame);
        send_frame(self.registers, frame);
        result
    }
}

impl Device for Lan9118 {
    type RxToken<'a> = Lan9118Rx<'a>;
    type TxToken<'a> = Lan9118Tx<'a>;

    fn receive(&mut self, _: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let len = self.receive_frame()?;
        Some((
            Lan9118Rx(&self.rx[..len]),
            Lan9118Tx {
                registers: self.registers,
                buffer: &mut self.tx,
            },
        ))
    }

    fn transmit(&mut self, _: Instant) -> Option<Self::TxToken<'_>> {
        Some(Lan9118Tx {
            registers: self.registers,
            buffer: &mut self.tx,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = FRAME;
        caps
    }
}
