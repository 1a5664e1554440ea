/* SPDX-License-Identifier: MIT */
/* seq.c - op sequences: owning copies of ops and their iovec lengths. */
#include "fsx.h"

#include <stdlib.h>
#include <string.h>

static void *copy_of(const void *p, size_t len)
{
	return p && len ? memcpy(malloc(len), p, len) : NULL;
}

void fsx_op_copy(struct fsx_op *dst, const struct fsx_op *src)
{
	size_t n = src->niov > 0 ? (size_t)src->niov : 0;
	*dst = *src;
	dst->iov = copy_of(src->iov, n * sizeof(*dst->iov));
	dst->at = copy_of(src->at, n);
}

void fsx_op_free(struct fsx_op *op)
{
	free(op->iov);
	free(op->at);
	op->iov = NULL;
	op->at = NULL;
	op->niov = 0;
}

void fsx_seq_push(struct fsx_seq *s, const struct fsx_op *op)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->ops = realloc(s->ops, s->cap * sizeof(*s->ops));
	}
	fsx_op_copy(&s->ops[s->n++], op);
}

void fsx_seq_free(struct fsx_seq *s)
{
	for (size_t i = 0; i < s->n; i++)
		fsx_op_free(&s->ops[i]);
	free(s->ops);
	memset(s, 0, sizeof(*s));
}
