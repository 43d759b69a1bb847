//! The deepest the stack has been: the stack is painted with a pattern at
//! boot, and the lowest byte that no longer holds it marks the deepest use.
//! Interrupts run on the same stack, so they are counted too.

const PAINT: u32 = 0xA5A5_A5A5;

unsafe extern "C" {
    /// The top of the stack (cortex-m-rt's linker script).
    static _stack_start: u32;
    /// The end of the statics, where the stack may grow down to.
    static _stack_end: u32;
}

fn bounds() -> (usize, usize) {
    // Only the symbols' addresses are taken, never their values.
    (
        (&raw const _stack_end) as usize,
        (&raw const _stack_start) as usize,
    )
}

/// Bytes between the statics and the top of the stack.
pub fn size() -> usize {
    let (end, start) = bounds();
    start - end
}

/// Paints the free stack below the current frame, leaving a margin
/// for this function's own frame.
pub fn paint() {
    let (end, _) = bounds();
    let below = cortex_m::register::msp::read() as usize - 64;
    let mut at = end;
    while at < below {
        // SAFETY: `at` is word-aligned (both linker symbols are), lies
        // between the end of the statics and the stack pointer, so it is
        // RAM that holds nothing yet, and nothing else runs (interrupts
        // are enabled later in `main`).
        unsafe { core::ptr::write_volatile(at as *mut u32, PAINT) };
        at += 4;
    }
}

/// Bytes of stack used at the deepest point so far.
pub fn high_water() -> usize {
    let (end, start) = bounds();
    let mut at = end;
    // SAFETY: as in `paint`: aligned words of this RAM between the
    // statics and the stack pointer, read while the stack is above them.
    while at < start && unsafe { core::ptr::read_volatile(at as *const u32) } == PAINT {
        at += 4;
    }
    start - at
}
