//! How a firmware stops on a fault it cannot go on from (a panic among
//! them): it says why through semihosting, ends with the result line the
//! self-checking firmware always ends with, and exits QEMU with a failure.

use cortex_m_semihosting::{debug, hprintln};

/// Reports `why` as the one failed check and exits.
pub fn fail(why: &str) -> ! {
    hprintln!("FAILED: {}", why);
    hprintln!("0 passed, 1 failed");
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    fail("panic")
}
