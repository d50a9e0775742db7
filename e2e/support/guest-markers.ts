// The test guest's serial markers (see scripts/build-test-guest.sh), for black-box checks.
export const READY_RE = /VIRIDIAN-GUEST-READY/;
export const MEM_RE = /VIRIDIAN-MEM (\d+)/;
export const TICK_RE = /VIRIDIAN-TICK (\d+)/;
/** viridian.disk=/dev/X on the kernel command line: the device exists and its first sector was read. */
export const DISK_READY_RE = /VIRIDIAN-DISK-READY (\/dev\/[\w/-]+) (\d+)/;
