#!/bin/bash
# depth_blocks.sh OUTDIR [BLOCK...] - each RTL block synthesized alone for ECP5 (Debian
# Yosys, synth_ecp5, flattened) at the parameters dlp_top gives it at N (default 4) and
# AXI 128, then depth.py on its netlist: one line per block with the worst path and its
# endpoint; the full path in OUTDIR/<block>.depth.txt. Environment: RTL, N, TIMEOUT (s per
# block, 900), NICE (10). Blocks: the names in the table below (default: all; `top` is the
# whole dlp_top, for paths between blocks: about 10 min).
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=$1; shift
RTL=${RTL:-$here/../../rtl}
N=${N:-4}
rows=$((131072 / N)); accrows=$((65536 / (4 * N)))   # default scratchpad bytes / row bytes
accaw=0; while [ $((1 << accaw)) -lt "$accrows" ]; do accaw=$((accaw + 1)); done
mkdir -p "$out"
# name | top module | parameters
table="
ctrl|dlp_ctrl|-chparam N $N -chparam AxiDataW 128 -chparam QueueDepth 8 -chparam TokenBits 8
ctrl_fetch|dlp_ctrl_fetch|-chparam AxiDataW 128 -chparam BufInsns 4
ctrl_issue|dlp_ctrl_issue|-chparam EntryW 512
csr|dlp_csr|-chparam N $N -chparam AxiDataW 128 -chparam QueueDepth 8 -chparam TokenBits 8 -chparam ActRows $rows -chparam WgtRows $rows -chparam AccRows $accrows
dma_load|dlp_dma_load|-chparam N $N -chparam AxiDataW 128 -chparam AxiIdW 4 -chparam ActRows $rows -chparam WgtRows $rows -chparam AccRows $accrows
dma_store|dlp_dma_store|-chparam N $N -chparam AxiDataW 128 -chparam AxiIdW 4 -chparam ActRows $rows -chparam WgtRows $rows -chparam AccRows $accrows
dma_bursts|dlp_dma_bursts|-chparam AxiDataBytes 16
dma_check|dlp_dma_check|
vpu|dlp_vpu|-chparam N $N -chparam ActRows $rows -chparam AccRows $accrows
vpu_lane|dlp_vpu_lane|
vpu_mbqm|dlp_vpu_mbqm|
vpu_isqrt|dlp_vpu_isqrt|
vpu_div|dlp_vpu_div|
mxu_pe|dlp_mxu_pe|
mxu_pe_lut|dlp_mxu_pe|-chparam LutMul 1
sp_arb_acc|dlp_sp_arb|-chparam Clients 4 -chparam AddrW $accaw -chparam Width $((N * 32)) -chparam RoundRobin 0
axi_rd_arb|dlp_axi_rd_arb|-chparam AxiIdW 4 -chparam AxiDataW 128
top|dlp_top|-chparam N $N -chparam AxiDataW 128
"
want=" $* "
files="$RTL/common/dlp_pkg.sv $(ls "$RTL"/*/*.sv | grep -v common/dlp_pkg.sv | sort)"
rc=0
while IFS='|' read -r name top params; do
  [ -n "$name" ] || continue
  [ $# -eq 0 ] || [[ "$want" == *" $name "* ]] || continue
  {
    for f in $files; do echo "read_verilog -sv $f"; done
    echo "hierarchy -check -top $top $params"
    echo "script $here/keep_ffs.ys"
    echo "synth_ecp5 -top $top"
    echo "write_json $out/$name.json"
  } > "$out/$name.ys"
  if ! timeout "${TIMEOUT:-900}" nice -n "${NICE:-10}" yosys -q -l "$out/$name.log" -s "$out/$name.ys" > /dev/null 2>&1; then
    echo "$name: yosys failed or timed out (see $out/$name.log)"; rc=1; continue
  fi
  python3 "$here/depth.py" "$out/$name.json" --strip "$(cd "$RTL/.." && pwd)/" > "$out/$name.depth.txt" || rc=1
  printf '%-11s %s\n' "$name" "$(head -1 "$out/$name.depth.txt")"
  rm -f "$out/$name.json"
done <<< "$table"
exit $rc
