/* SPDX-License-Identifier: MIT */
/*
 * pattern.h - the test data of the suite and of the unit tests: a seeded
 * xorshift stream with no zero byte, so that a zero read back is always the
 * zeroes a test asked for, never data that happened to be zero.
 */
#ifndef REFSTOR_CONF_PATTERN_H
#define REFSTOR_CONF_PATTERN_H

#include <stddef.h>
#include <stdint.h>

static inline void rs_pattern(void *buf, size_t len, unsigned seed)
{
	unsigned char *p = buf;
	uint32_t x = seed * 2654435761u + 12345;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)(x | 1);
	}
}

#endif
