#!/usr/bin/env bash
# The firmware's footprint per target, as BENCHMARKS.md reports it:
#   flash       .vector_table + .text + .rodata
#   without     the same, built without the metrics (`--no-default-features`)
#   RAM         .data + .bss
#   METRICS     the static registry's size
#   core share  the sizes of every symbol of otel-prom-core and the crates it
#               pulls in (itoa, spin, portable-atomic, heapless), generic
#               instances included; code the compiler inlined into the
#               firmware's own functions is not counted.
#   + library   the core share plus the library functions (`core`,
#               `compiler_builtins`) that only the core's functions call,
#               directly or through each other: what else would leave the
#               binary with the core. Calls are read off the disassembly.
#
# Needs the targets, `rustup component add llvm-tools` and python3.
set -euo pipefail
cd "$(dirname "$0")"
sysroot="$(rustc --print sysroot)"
bin="$(dirname "$(find "$sysroot/lib/rustlib" -name llvm-size -type f | head -1)")"

sections() {
  "$bin/llvm-size" -A "$1" | awk '
    /^\.vector_table|^\.text|^\.rodata/ { flash += $2 }
    /^\.data|^\.bss/ { ram += $2 }
    END { print flash, ram }'
}

# The core share plus every function whose callers are all in it (or in
# what this adds), to a fixed point.
only_core_calls() {
  "$bin/llvm-nm" -S --defined-only "$1" >"$1.nm"
  "$bin/llvm-objdump" -d --no-show-raw-insn "$1" >"$1.dis"
  python3 - "$1.nm" "$1.dis" <<'PY'
import re, sys
from collections import defaultdict
core = re.compile(r"otel_prom_core|itoa|spin..|portable_atomic|heapless")
size, name, code = {}, {}, set()
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) == 4:
        addr = int(f[0], 16) & ~1
        size[addr], name[addr] = int(f[1], 16), f[3]
        if f[2] in "tT":
            code.add(addr)
callers, here = defaultdict(set), None
for line in open(sys.argv[2]):
    m = re.match(r"([0-9a-f]+) <", line)
    if m:
        here = int(m.group(1), 16)
        continue
    m = re.search(r"\tb[a-z.]*\s+0x([0-9a-f]+)", line)
    if m and here is not None:
        to = int(m.group(1), 16) & ~1
        if to in size and to != here:
            callers[to].add(here)
owned = {a for a in size if core.search(name[a])}
total = sum(size[a] for a in owned)
grew = True
while grew:
    grew = False
    for a in code - owned:
        if callers[a] and callers[a] <= owned:
            owned.add(a)
            total += size[a]
            grew = True
print(total)
PY
  rm -f "$1.nm" "$1.dis"
}

printf '| target | flash | flash without metrics | RAM | METRICS | core share | + library |\n'
printf '|---|---:|---:|---:|---:|---:|---:|\n'
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(thumbv7m-none-eabi thumbv7em-none-eabihf thumbv6m-none-eabi)
fi
for t in "${targets[@]}"; do
  elf="target/$t/release/otel-prom-firmware"
  cargo build -q --release --target "$t" --no-default-features
  read -r flash_without _ < <(sections "$elf")
  cargo build -q --release --target "$t"
  read -r flash ram < <(sections "$elf")
  metrics=0
  share=0
  while read -r _ size _ name; do
    case "$name" in
      *METRICS*) metrics=$((16#$size)) ;;
    esac
    if [[ "$name" =~ otel_prom_core|itoa|spin::|portable_atomic|heapless ]]; then
      share=$((share + 16#$size))
    fi
  done < <("$bin/llvm-nm" -S -C --defined-only "$elf" | awk 'NF >= 4')
  with_library="$(only_core_calls "$elf")"
  printf '| %s | %s B | %s B | %s B | %s B | %s B | %s B |\n' \
    "$t" "$flash" "$flash_without" "$ram" "$metrics" "$share" "$with_library"
done
