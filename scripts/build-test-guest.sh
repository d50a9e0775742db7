#!/usr/bin/env bash
# Build a tiny bootable test guest for Viridian's tests (see /work/shared/QEMU.md,
# "A tiny test guest from Debian packages").
#
# Output folder: ${VIRIDIAN_GUEST_DIR:-$HOME/.cache/viridian/test-guest}
#   vmlinuz          Debian kernel (linux-image-cloud-amd64 by default)
#   initrd.img       busybox-static initramfs (newc cpio, gzip) with /init
#   disk.img         64 MiB raw MBR disk: syslinux + FAT16 partition at sector 2048
#   disk.qcow2       disk.img converted to qcow2
#   disk-fixed.vhd   disk.img as a fixed VHD (force_size=on: virtual size == 64 MiB)
#   disk-dynamic.vhd disk.img as a dynamic VHD (force_size=on)
#   manifest.json    file names, kernel version, script hash
#   .stamp           "<sha256 of this script> <kernel meta package>"
#
# Idempotent: when every output exists and .stamp matches, it prints the folder
# and exits at once. Otherwise it builds in a temporary folder next to the
# output and renames it into place, so a killed build never leaves a half guest.
# Needs no loop devices, mounts or network beyond apt. The only line on stdout
# is the output folder; progress goes to stderr.
#
# Environment:
#   VIRIDIAN_GUEST_DIR     output folder
#   VIRIDIAN_DEB_CACHE     where kernel .debs are kept ($HOME/.cache/viridian/debs)
#   VIRIDIAN_GUEST_KERNEL  kernel meta package (linux-image-cloud-amd64). The
#                          cloud kernel has no tulip/e1000 drivers; use
#                          linux-image-amd64 (70 MB .deb) if a test needs them.
#   VIRIDIAN_GUEST_NO_INSTALL=1  never apt-get install missing build tools
#
# Guest kernel command line switches understood by /init:
#   viridian.ip=ADDR/PREFIX  static address on the first NIC (lo is brought up)
#   viridian.gw=ADDR         default route (with viridian.ip)
#   viridian.dhcp=1          udhcpc on the first NIC, prints VIRIDIAN-IP <addr>
#   viridian.dirty=MiB       rewrite MiB of tmpfs memory in a loop, forever; prints
#                            VIRIDIAN-DIRTY-STARTED <MiB> (clamped to what fits:
#                            ~48 MiB in a 128 MiB guest, VIRIDIAN-DIRTY-CLAMPED)
#   viridian.disk=/dev/XXX   print VIRIDIAN-DISK-READY <dev> <sectors> once it exists
#   viridian.tick=SECONDS    tick interval (default 1)
#   viridian.verbose=1       keep the kernel console log level (default: 4)
set -euo pipefail

SCRIPT_PATH=$(readlink -f "${BASH_SOURCE[0]}")
SCRIPT_SHA=$(sha256sum "$SCRIPT_PATH" | cut -d' ' -f1)
OUT=${VIRIDIAN_GUEST_DIR:-$HOME/.cache/viridian/test-guest}
OUT=$(realpath -m -- "$OUT")
DEB_CACHE=${VIRIDIAN_DEB_CACHE:-$HOME/.cache/viridian/debs}
KERNEL_META=${VIRIDIAN_GUEST_KERNEL:-linux-image-cloud-amd64}
KERNEL_FALLBACK=linux-image-amd64
STAMP="$SCRIPT_SHA $KERNEL_META"
OUTPUTS=(vmlinuz initrd.img disk.img disk.qcow2 disk-fixed.vhd disk-dynamic.vhd manifest.json)
DISK_MIB=64
PART_START=2048                                    # sectors
PART_SECTORS=$(( DISK_MIB * 2048 - PART_START ))  # partition fills the disk
# Modules /init loads, in this order; dependencies are added in front of each.
# Names that are neither in the .deb nor built in are skipped.
WANT_MODULES=(scsi_common scsi_mod libata ata_piix ata_generic sd_mod cdrom sr_mod
  virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
  virtio_blk virtio_scsi virtio_net virtio_console net_failover failover
  button evdev tulip e1000 af_packet)

log() { printf '[build-test-guest] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

is_fresh() {
  local f
  for f in "${OUTPUTS[@]}"; do [[ -s "$OUT/$f" ]] || return 1; done
  [[ -f "$OUT/.stamp" && "$(<"$OUT/.stamp")" == "$STAMP" ]]
}

if is_fresh; then printf '%s\n' "$OUT"; exit 0; fi

# ---------------------------------------------------------------- build tools
need_tools() {
  local missing=() pkgs=()
  command -v busybox >/dev/null && dpkg-query -W -f='${Status}' busybox-static 2>/dev/null \
    | grep -q 'ok installed' || pkgs+=(busybox-static)
  command -v cpio >/dev/null || pkgs+=(cpio)
  command -v syslinux >/dev/null || pkgs+=(syslinux)
  [[ -f /usr/lib/syslinux/mbr/mbr.bin ]] || pkgs+=(syslinux-common)
  command -v mcopy >/dev/null || pkgs+=(mtools)
  command -v mkfs.vfat >/dev/null || pkgs+=(dosfstools)
  command -v qemu-img >/dev/null || pkgs+=(qemu-utils)
  command -v xz >/dev/null || pkgs+=(xz-utils)
  command -v flock >/dev/null || pkgs+=(util-linux)
  ((${#pkgs[@]} == 0)) && return 0
  if [[ $EUID -eq 0 && -z "${VIRIDIAN_GUEST_NO_INSTALL:-}" ]]; then
    log "installing ${pkgs[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${pkgs[@]}" >&2
  else
    missing=("${pkgs[@]}")
    die "missing packages: ${missing[*]} (apt-get install ${missing[*]})"
  fi
}
need_tools

# ---------------------------------------------------------------- lock + temp
PARENT=$(dirname -- "$OUT")
BASE=$(basename -- "$OUT")
mkdir -p -- "$PARENT"
exec 9>"$PARENT/.$BASE.lock"
flock 9
# Another run may have finished while we waited.
if is_fresh; then printf '%s\n' "$OUT"; exit 0; fi
# We hold the lock: leftovers of killed builds can go.
rm -rf -- "$PARENT/.$BASE.build."* "$PARENT/.$BASE.old."*

T0=$SECONDS
WORK=$(mktemp -d -- "$PARENT/.$BASE.build.XXXXXX")
cleanup() { rm -rf -- "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
STAGE="$WORK/stage"   # final files
mkdir -p "$STAGE"

# ---------------------------------------------------------------- kernel .deb
resolve_kernel_pkg() { # meta -> versioned package name
  apt-cache depends "$1" 2>/dev/null \
    | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}

mkdir -p -- "$DEB_CACHE"
KPKG=$(resolve_kernel_pkg "$KERNEL_META")
if [[ -z "$KPKG" && "$KERNEL_META" != "$KERNEL_FALLBACK" ]]; then
  log "cannot resolve $KERNEL_META, falling back to $KERNEL_FALLBACK"
  KPKG=$(resolve_kernel_pkg "$KERNEL_FALLBACK")
fi
DEB=""
if [[ -n "$KPKG" ]]; then
  DEB=$(ls -1v -- "$DEB_CACHE/${KPKG}_"*_amd64.deb 2>/dev/null | tail -n 1 || true)
  if [[ -z "$DEB" ]] || ! dpkg-deb -f "$DEB" Package >/dev/null 2>&1; then
    log "downloading $KPKG"
    dl=$(mktemp -d -- "$DEB_CACHE/.partial.XXXXXX")
    apt_opts=()
    [[ $EUID -eq 0 ]] && apt_opts=(-o APT::Sandbox::User=root)
    if ! (cd "$dl" && apt-get "${apt_opts[@]}" download "$KPKG" >&2); then
      rm -rf -- "$dl"; die "apt-get download $KPKG failed"
    fi
    f=$(ls -1 "$dl"/*.deb | head -n 1)
    dpkg-deb -f "$f" Package >/dev/null || { rm -rf -- "$dl"; die "bad .deb $f"; }
    DEB="$DEB_CACHE/$(basename -- "$f")"
    mv -f -- "$f" "$DEB"
    rm -rf -- "$dl"
  else
    log "reusing $DEB"
  fi
else
  # No apt lists (offline?): use the newest cached kernel of the wanted flavour.
  flavour=${KERNEL_META#linux-image-}
  DEB=$(ls -1v -- "$DEB_CACHE"/linux-image-[0-9]*-"$flavour"_*_amd64.deb 2>/dev/null | tail -n 1 || true)
  [[ -n "$DEB" ]] || die "cannot resolve $KERNEL_META or $KERNEL_FALLBACK (run apt-get update)"
  log "apt cannot resolve $KERNEL_META, using cached $DEB"
fi
KPKG=$(dpkg-deb -f "$DEB" Package)
KPKG_VERSION=$(dpkg-deb -f "$DEB" Version)

log "unpacking $(basename -- "$DEB")"
dpkg-deb -x "$DEB" "$WORK/deb"
KDIR=$(ls -1d "$WORK/deb/lib/modules/"*/ | head -n 1)
KDIR=${KDIR%/}
KVER=$(basename -- "$KDIR")
[[ -f "$WORK/deb/boot/vmlinuz-$KVER" ]] || die "no vmlinuz-$KVER in $DEB"
cp -- "$WORK/deb/boot/vmlinuz-$KVER" "$STAGE/vmlinuz"

# ---------------------------------------------------------------- modules
ROOT="$WORK/root"
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,etc/acpi/PWRF,etc/viridian,lib/modules,proc,sys,dev,tmp,run,root,var/log}

declare -A MOD_PATH=()    # module name -> file in the .deb
declare -A MOD_SEEN=()
declare -A BUILTIN=()
MOD_ORDER=() MOD_BUILTIN=() MOD_MISSING=()
while IFS= read -r -d '' f; do
  n=$(basename -- "$f"); n=${n%%.ko*}; n=${n//-/_}
  MOD_PATH[$n]=$f
done < <(find "$KDIR/kernel" -name '*.ko*' -print0)
if [[ -f "$KDIR/modules.builtin" ]]; then
  while IFS= read -r f; do
    n=$(basename -- "$f"); n=${n%%.ko*}; n=${n//-/_}
    BUILTIN[$n]=1
  done <"$KDIR/modules.builtin"
fi

decompressed() { # name -> path of the uncompressed .ko in $ROOT/lib/modules
  local n=$1 src=${MOD_PATH[$1]} dst="$ROOT/lib/modules/$1.ko"
  [[ -f "$dst" ]] && { printf '%s\n' "$dst"; return; }
  case "$src" in
    *.ko) cp -- "$src" "$dst" ;;
    *.ko.xz) xz -dc -- "$src" >"$dst" ;;
    *.ko.zst) command -v zstd >/dev/null || die "zstd needed for $src"; zstd -qdc -- "$src" >"$dst" ;;
    *.ko.gz) gzip -dc -- "$src" >"$dst" ;;
    *) die "unknown module format: $src" ;;
  esac
  printf '%s\n' "$dst"
}

add_module() { # depth-first: dependencies first
  local n=$1 ko deps d
  [[ -n "${MOD_SEEN[$n]:-}" ]] && return 0
  MOD_SEEN[$n]=1
  if [[ -z "${MOD_PATH[$n]:-}" ]]; then
    if [[ -n "${BUILTIN[$n]:-}" ]]; then MOD_BUILTIN+=("$n"); else MOD_MISSING+=("$n"); fi
    return 0
  fi
  ko=$(decompressed "$n")
  deps=$(tr '\0' '\n' <"$ko" | sed -n 's/^depends=//p')
  for d in ${deps//,/ }; do add_module "${d//-/_}"; done
  MOD_ORDER+=("$n")
}
for m in "${WANT_MODULES[@]}"; do add_module "$m"; done
printf '%s\n' "${MOD_ORDER[@]}" >"$ROOT/etc/viridian/modules"
log "modules: ${MOD_ORDER[*]}"
((${#MOD_BUILTIN[@]})) && log "built in: ${MOD_BUILTIN[*]}"
((${#MOD_MISSING[@]})) && log "not in $KPKG (skipped): ${MOD_MISSING[*]}"

# ---------------------------------------------------------------- busybox root
cp -- "$(command -v busybox)" "$ROOT/bin/busybox"
chmod 0755 "$ROOT/bin/busybox"
while IFS= read -r applet; do
  applet=${applet#/}
  [[ -z "$applet" || "$applet" == bin/busybox ]] && continue
  mkdir -p "$ROOT/$(dirname -- "$applet")"
  [[ -e "$ROOT/$applet" ]] || ln -s /bin/busybox "$ROOT/$applet"
done < <("$ROOT/bin/busybox" --list-full)
[[ -e "$ROOT/bin/sh" ]] || ln -s busybox "$ROOT/bin/sh"

cat >"$ROOT/etc/acpi/PWRF/00000080" <<'EOF'
#!/bin/sh
# ACPI power button (QMP system_powerdown): power off at once.
echo VIRIDIAN-POWEROFF >/dev/ttyS0 2>/dev/null
sync
exec poweroff -f
EOF
chmod 0755 "$ROOT/etc/acpi/PWRF/00000080"

mkdir -p "$ROOT/etc/udhcpc"
cat >"$ROOT/etc/udhcpc/default.script" <<'EOF'
#!/bin/sh
# busybox udhcpc hook: configure the lease and report it on the serial console.
case "$1" in
  deconfig)
    ip addr flush dev "$interface" 2>/dev/null
    ip link set "$interface" up
    ;;
  bound|renew)
    ip addr flush dev "$interface" 2>/dev/null
    if [ -n "$mask" ]; then ip addr add "$ip/$mask" dev "$interface"
    else ifconfig "$interface" "$ip" ${subnet:+netmask "$subnet"}; fi
    for r in $router; do ip route add default via "$r" dev "$interface" 2>/dev/null && break; done
    [ -n "$dns" ] && { for d in $dns; do echo "nameserver $d"; done >/etc/resolv.conf; }
    echo "VIRIDIAN-IP $ip" >/dev/ttyS0
    ;;
esac
exit 0
EOF
chmod 0755 "$ROOT/etc/udhcpc/default.script"

printf 'root:x:0:0:root:/root:/bin/sh\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\n' >"$ROOT/etc/group"
printf '%s\n' "$KVER" >"$ROOT/etc/viridian/kernel-version"

cat >"$ROOT/init" <<'EOF'
#!/bin/sh
# Viridian test guest: PID 1. Markers go to ttyS0 (tests read the serial port).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=vt100
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run

# Command line switches.
V_IP= V_GW= V_DHCP= V_DIRTY= V_DISK= V_TICK=1 V_VERBOSE=
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    viridian.ip=*) V_IP=${arg#*=} ;;
    viridian.gw=*) V_GW=${arg#*=} ;;
    viridian.dhcp=*) V_DHCP=${arg#*=} ;;
    viridian.dirty=*) V_DIRTY=${arg#*=} ;;
    viridian.disk=*) V_DISK=${arg#*=} ;;
    viridian.tick=*) V_TICK=${arg#*=} ;;
    viridian.verbose=*) V_VERBOSE=${arg#*=} ;;
  esac
done
[ "$V_DHCP" = 0 ] && V_DHCP=
# Keep asynchronous kernel messages (disk probing...) out of the marker lines.
[ -n "$V_VERBOSE" ] && [ "$V_VERBOSE" != 0 ] || echo 4 >/proc/sys/kernel/printk

say() { # marker on the serial port and on the VGA console
  echo "$*" >/dev/ttyS0
  echo "$*" >/dev/tty0 2>/dev/null
}

while read -r m; do
  insmod "/lib/modules/$m.ko" >/dev/null 2>&1
done </etc/viridian/modules

# ACPI power button -> /etc/acpi/PWRF/00000080 -> poweroff -f.
i=0
while [ ! -e /dev/input/event0 ] && [ $i -lt 20 ]; do sleep 0.05; i=$((i + 1)); done
acpid -f -c /etc/acpi -l /run/acpid.log -p /run/acpid.pid &
ACPID=$!
# Ready only once it holds the input devices: a powerdown right after the
# ready marker must not be lost.
i=0
while [ $i -lt 40 ] && ! ls -l /proc/$ACPID/fd 2>/dev/null | grep -q /dev/input/event; do
  sleep 0.05; i=$((i + 1))
done

first_nic() { # first network interface backed by a device (not lo, sit0...)
  for n in /sys/class/net/*; do
    [ -e "$n/device" ] && { echo "${n##*/}"; return 0; }
  done
  return 1
}
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
if [ -n "$V_IP" ] || [ -n "$V_DHCP" ]; then
  i=0
  while ! NIC=$(first_nic) && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
fi
if [ -n "$V_IP" ] && [ -n "$NIC" ]; then
  ip addr add "$V_IP" dev "$NIC" && ip link set "$NIC" up
  [ -n "$V_GW" ] && ip route add default via "$V_GW" dev "$NIC"
  say "VIRIDIAN-IP ${V_IP%/*}"
elif [ -n "$V_IP" ]; then
  say "VIRIDIAN-NO-NIC"
fi

BOOT_ID=$(tr -d '-' </proc/sys/kernel/random/boot_id 2>/dev/null)
[ -n "$BOOT_ID" ] || BOOT_ID=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
echo "$BOOT_ID" >/run/viridian-boot-id
MEM=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)

say "VIRIDIAN-GUEST-READY"
say "VIRIDIAN-MEM $MEM"
say "VIRIDIAN-BOOT-ID $BOOT_ID"

# Counter: proves continuity across save/restore/migration.
(
  n=0
  while :; do
    n=$((n + 1))
    echo "VIRIDIAN-TICK $n" >/dev/ttyS0
    sleep "$V_TICK"
  done
) &

# Heartbeat on a virtio-serial port named org.viridian.heartbeat, if present.
# Separate process: writes block while the host side is not connected.
for p in /sys/class/virtio-ports/*; do
  [ -f "$p/name" ] && [ "$(cat "$p/name")" = org.viridian.heartbeat ] || continue
  (
    n=0
    while :; do
      n=$((n + 1))
      echo "VIRIDIAN-TICK $n $BOOT_ID" >"/dev/${p##*/}" 2>/dev/null || sleep 1
      sleep "$V_TICK"
    done
  ) &
done

if [ -n "$V_DHCP" ]; then
  (
    if [ -z "$NIC" ]; then say "VIRIDIAN-NO-NIC"; exit 0; fi
    udhcpc -f -q -i "$NIC" -s /etc/udhcpc/default.script -t 30 -T 2 >/run/udhcpc.log 2>&1 \
      || say "VIRIDIAN-DHCP-FAILED"
  ) &
fi

if [ -n "$V_DIRTY" ]; then
  (
    # Rewrite V_DIRTY MiB of tmpfs pages in place, forever: a fixed working
    # set, non-zero data (zero pages are cheap to migrate), and the content
    # alternates between two random patterns so that every pass changes it.
    # Leave ~16 MiB for the rest of the guest: more would OOM-panic it
    # (a 128 MiB guest takes about 48 MiB, 256 MiB about 170 MiB).
    max=$(awk '/^MemAvailable:/ { print int($2 / 1024) - 19 }' /proc/meminfo)
    if [ "$V_DIRTY" -gt "$max" ]; then
      say "VIRIDIAN-DIRTY-CLAMPED $V_DIRTY $max"
      V_DIRTY=$max
    fi
    mkdir -p /run/dirty
    mount -t tmpfs -o size=$((V_DIRTY + 3))m tmpfs /run/dirty
    dd if=/dev/urandom of=/run/dirty/a bs=1048576 count=1 2>/dev/null
    dd if=/dev/urandom of=/run/dirty/b bs=1048576 count=1 2>/dev/null
    LA= LB= i=0
    while [ $i -lt "$V_DIRTY" ]; do LA="$LA /run/dirty/a" LB="$LB /run/dirty/b"; i=$((i + 1)); done
    : >/run/dirty/buf
    cat $LA 1<>/run/dirty/buf
    say "VIRIDIAN-DIRTY-STARTED $V_DIRTY"
    while :; do cat $LB 1<>/run/dirty/buf; cat $LA 1<>/run/dirty/buf; done
  ) &
fi

if [ -n "$V_DISK" ]; then
  (
    i=0
    while [ ! -b "$V_DISK" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
    if [ -b "$V_DISK" ] && dd if="$V_DISK" of=/dev/null bs=512 count=1 2>/dev/null; then
      say "VIRIDIAN-DISK-READY $V_DISK $(cat "/sys/class/block/${V_DISK##*/}/size" 2>/dev/null)"
    else
      say "VIRIDIAN-DISK-MISSING $V_DISK"
    fi
  ) &
fi

# Serial shell for tests, respawned when it exits. It reads commands from
# ttyS0 as a script: no prompt and no line editing (the tty echoes input), so
# tests see only what they typed and what it printed. Input sent before it
# starts is not lost: /dev/console (ttyS0) is open in PID 1 since boot.
(
  while :; do
    setsid sh -c 'exec sh /dev/ttyS0 </dev/ttyS0 >/dev/ttyS0 2>&1'
    sleep 0.2
  done
) &

# PID 1 never exits; waiting also reaps orphans.
while :; do wait; sleep 1; done
EOF
chmod 0755 "$ROOT/init"

# ---------------------------------------------------------------- initramfs
# newc header for one entry (no data): name mode rdevmajor rdevminor
cpio_node() {
  local name=$1 mode=$2 maj=$3 min=$4 ino=$5 namesize pad
  namesize=$(( ${#name} + 1 ))
  printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\0' \
    "$ino" "$mode" 0 0 1 0 0 0 0 "$maj" "$min" "$namesize" 0 "$name"
  pad=$(( (4 - (110 + namesize) % 4) % 4 ))
  ((pad)) && head -c "$pad" /dev/zero
  return 0
}
log "packing initrd.img"
{
  (cd "$ROOT" && find . -mindepth 1 -print0 | LC_ALL=C sort -z \
    | cpio --null -o -H newc --owner=0:0 --quiet)
  # /dev/console (c 5 1) without mknod, so the build needs no root and the
  # kernel can give /init its console before devtmpfs is mounted.
  cpio_node dev/console $((0020600)) 5 1 900001
  cpio_node 'TRAILER!!!' 0 0 0 0
} | gzip -9 -n >"$STAGE/initrd.img"

# ---------------------------------------------------------------- disk image
log "making disk.img"
cat >"$WORK/syslinux.cfg" <<'EOF'
SERIAL 0 115200
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL vmlinuz
  APPEND initrd=initrd.img console=tty0 console=ttyS0,115200 quiet
EOF
export MTOOLS_SKIP_CHECK=1
mkfs.vfat -F 16 -h "$PART_START" -n VIRIDIAN -i 56495249 \
  -C "$WORK/part.img" $(( PART_SECTORS / 2 )) >/dev/null
mcopy -i "$WORK/part.img" -o "$STAGE/vmlinuz" "$STAGE/initrd.img" "$WORK/syslinux.cfg" ::/
syslinux --install "$WORK/part.img"

le32() {
  local v=$1
  printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' \
    $((v & 255)) $((v >> 8 & 255)) $((v >> 16 & 255)) $((v >> 24 & 255)))"
}
chs() { # LBA -> 3 CHS bytes (255 heads, 63 sectors), clamped to 1023/254/63
  local lba=$1 c h s
  c=$(( lba / (255 * 63) )); h=$(( lba / 63 % 255 )); s=$(( lba % 63 + 1 ))
  if ((c > 1023)); then c=1023 h=254 s=63; fi
  printf "$(printf '\\x%02x\\x%02x\\x%02x' "$h" $(( (c >> 8) << 6 | s )) $((c & 255)))"
}
IMG="$STAGE/disk.img"
truncate -s $(( DISK_MIB * 1024 * 1024 )) "$IMG"
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$IMG" bs=440 count=1 conv=notrunc status=none
{
  printf 'VIRD\0\0'                       # disk signature + reserved
  printf '\x80'; chs "$PART_START"         # bootable, first sector
  printf '\x0e'; chs $(( PART_START + PART_SECTORS - 1 ))   # FAT16 (LBA), last
  le32 "$PART_START"; le32 "$PART_SECTORS"
  head -c 48 /dev/zero                     # partition entries 2-4
  printf '\x55\xaa'
} | dd of="$IMG" bs=1 seek=440 conv=notrunc status=none
dd if="$WORK/part.img" of="$IMG" bs=1M seek=$(( PART_START / 2048 )) conv=notrunc,sparse status=none

log "converting to qcow2 / vhd"
qemu-img convert -f raw -O qcow2 "$IMG" "$STAGE/disk.qcow2"
qemu-img convert -f raw -O vpc -o subformat=fixed,force_size=on "$IMG" "$STAGE/disk-fixed.vhd"
qemu-img convert -f raw -O vpc -o subformat=dynamic,force_size=on "$IMG" "$STAGE/disk-dynamic.vhd"

# ---------------------------------------------------------------- manifest
json_list() { local s="" x; for x in "$@"; do s+="${s:+, }\"$x\""; done; printf '[%s]' "$s"; }
cat >"$STAGE/manifest.json" <<EOF
{
  "formatVersion": 1,
  "scriptSha256": "$SCRIPT_SHA",
  "stamp": "$STAMP",
  "builtAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "kernelMetaPackage": "$KERNEL_META",
  "kernelPackage": "$KPKG",
  "kernelPackageVersion": "$KPKG_VERSION",
  "kernelVersion": "$KVER",
  "files": {
    "kernel": "vmlinuz",
    "initrd": "initrd.img",
    "diskRaw": "disk.img",
    "diskQcow2": "disk.qcow2",
    "diskFixedVhd": "disk-fixed.vhd",
    "diskDynamicVhd": "disk-dynamic.vhd"
  },
  "diskVirtualSize": $(( DISK_MIB * 1024 * 1024 )),
  "partitionStartSector": $PART_START,
  "kernelCmdline": "initrd=initrd.img console=tty0 console=ttyS0,115200 quiet",
  "modules": $(json_list "${MOD_ORDER[@]}"),
  "builtinModules": $(json_list "${MOD_BUILTIN[@]}"),
  "missingModules": $(json_list "${MOD_MISSING[@]}"),
  "minMemoryMiB": 80,
  "memoryMiB": 128
}
EOF
printf '%s\n' "$STAMP" >"$STAGE/.stamp"
chmod 0644 "$STAGE"/*
chmod 0755 "$STAGE"

# ---------------------------------------------------------------- swap in
if [[ -e "$OUT" ]]; then
  OLD="$PARENT/.$BASE.old.$$"
  mv -T -- "$OUT" "$OLD"
  mv -T -- "$STAGE" "$OUT"
  rm -rf -- "$OLD"
else
  mv -T -- "$STAGE" "$OUT"
fi
log "built $KPKG ($KVER) in $(( SECONDS - T0 )) s"
printf '%s\n' "$OUT"
