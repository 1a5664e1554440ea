#!/bin/sh
# mangle.sh - the broken ports that are not compiled but made from the
# reference library's file, so that they are what a loader meets in the wild:
#
#   mangle.sh wrong_arch REFERENCE OUT   the reference with another machine
#                                        in its ELF header (built for the
#                                        wrong architecture)
#   mangle.sh truncated REFERENCE OUT    its first 1000 bytes (a copy or a
#                                        download cut short)
#
# POSIX sh, od and dd only: it runs at build time, on any build host.
set -eu

[ $# -eq 3 ] || { echo "usage: mangle.sh wrong_arch|truncated REFERENCE OUT" >&2; exit 2; }
kind=$1 ref=$2 out=$3
tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT

# Both kinds must start from a real ELF file, or the port would be broken in
# some other way than the one it is named for.
[ "$(od -An -tx1 -N4 "$ref" | tr -d ' \n')" = 7f454c46 ] ||
	{ echo "mangle.sh: $ref is not an ELF file" >&2; exit 1; }

case $kind in
wrong_arch)
	cp "$ref" "$tmp"
	# e_machine: the 2 bytes at offset 18, in the byte order of
	# e_ident[EI_DATA] (offset 5: 1 little-endian, 2 big-endian).  od's
	# output is split into its bytes on purpose (SC2046).
	# shellcheck disable=SC2046
	set -- $(od -An -tu1 -j5 -N1 "$ref")
	order=$1
	# shellcheck disable=SC2046
	set -- $(od -An -tu1 -j18 -N2 "$ref")
	if [ "$order" = 1 ]; then machine=$(($1 + 256 * $2)); else machine=$((256 * $1 + $2)); fi
	# EM_AARCH64 (183); on an AArch64 host, EM_X86_64 (62): either way a
	# machine this host cannot run.
	new=183
	[ "$machine" -ne 183 ] || new=62
	if [ "$order" = 1 ]; then bytes="$new 0"; else bytes="0 $new"; fi
	# shellcheck disable=SC2059,SC2086 # the format is the two bytes, as octal escapes
	printf "$(printf '\\%03o' $bytes)" | dd of="$tmp" bs=1 seek=18 conv=notrunc 2>/dev/null
	# shellcheck disable=SC2046
	set -- $(od -An -tu1 -j18 -N2 "$tmp")
	[ "$1 $2" = "$bytes" ] || { echo "mangle.sh: patching e_machine failed" >&2; exit 1; }
	;;
truncated)
	dd if="$ref" of="$tmp" bs=1000 count=1 2>/dev/null
	[ "$(wc -c <"$tmp")" -eq 1000 ] || { echo "mangle.sh: $ref is shorter than 1000 bytes" >&2; exit 1; }
	;;
*)
	echo "mangle.sh: unknown kind $kind (wrong_arch, truncated)" >&2
	exit 2
	;;
esac
mv "$tmp" "$out"
