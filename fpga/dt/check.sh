#!/bin/bash
# check.sh OUTDIR - compile the DLP device-tree overlays and check what the boards need.
# For each overlay: dtc -@ compiles it (a syntax error fails), and the decompiled .dtbo has
# the generic-uio node at the CSR address with the expected GIC interrupt, a u-dma-buf
# node, and unresolved references (__fixups__) only to the labels the base tree has.
# Prints "fpga_dt: N passed, N failed"; exits 1 on any failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-.}
mkdir -p "$out"
pass=0; fail=0
if ! command -v dtc > /dev/null; then
  echo "fpga_dt: dtc not found: apt-get install device-tree-compiler"
  echo "fpga_dt: 0 passed, 1 failed"; exit 1
fi
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
# name  reg-pattern  interrupts  interrupt-parent label
check() {
  local name=$1 reg=$2 irq=$3 gic=$4
  local src=$here/$name.dtso dtbo=$out/$name.dtbo dts=$out/$name.decompiled.dts
  if dtc -q -@ -I dts -O dtb -o "$dtbo" "$src"; then ok; else bad "$name: dtc"; return; fi
  dtc -q -I dtb -O dts -o "$dts" "$dtbo" || { bad "$name: decompile"; return; }
  grep -q 'compatible = "generic-uio";' "$dts" && ok || bad "$name: generic-uio node"
  grep -q "reg = <$reg>;" "$dts" && ok || bad "$name: CSR reg <$reg>"
  grep -q "interrupts = <$irq>;" "$dts" && ok || bad "$name: interrupts <$irq>"
  grep -q 'compatible = "ikwzm,u-dma-buf";' "$dts" && ok || bad "$name: u-dma-buf node"
  grep -q 'linux,uio-name = "dlp";' "$dts" && ok || bad "$name: uio name"
  # only these labels may be left for the base tree
  local labels
  labels=$(sed -n '/__fixups__/,/};/p' "$dts" | grep -oE '^\s*[a-z_]+ =' | tr -d ' \t=' | sort | tr '\n' ' ')
  [ "$labels" = "$(echo amba fpga_full "$gic" | tr ' ' '\n' | sort | tr '\n' ' ')" ] && ok || bad "$name: fixups '$labels'"
}
# Zynq-7000: IRQ_F2P[0] = ID 61 = SPI 29; ZynqMP: pl_ps_irq0[0] = ID 121 = SPI 89
check dlp-pynq-z2 "0x43c00000 0x1000" "0x00 0x1d 0x04" intc
check dlp-kv260 "0x00 0xa0000000 0x00 0x1000" "0x00 0x59 0x04" gic
# the check itself: a broken overlay must be rejected
printf '/dts-v1/;\n/plugin/;\n/ { fragment@0 { target = <&amba>; __overlay__ { x = <1 ; }; }; };\n' > "$out/broken.dtso"
if dtc -q -@ -I dts -O dtb -o "$out/broken.dtbo" "$out/broken.dtso" 2> /dev/null; then bad "dtc accepted a syntax error"; else ok; fi
echo "fpga_dt: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
