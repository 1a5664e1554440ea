/* SPDX-License-Identifier: MIT */
/* seq.c - op sequences: owning copies of ops and their iovec lengths. */
#include "fsx.h"

#include <stdlib.h>
#include <string.h>

void fsx_op_copy(struct fsx_op *dst, const struct fsx_op *src)
{
	*dst = *src;
	dst->iov = NULL;
	dst->at = NULL;
	if (src->iov && src->niov > 0) {
		dst->iov = malloc(sizeof(*dst->iov) * (size_t)src->niov);
		memcpy(dst->iov, src->iov, sizeof(*dst->iov) * (size_t)src->niov);
	}
	if (src->at && src->niov > 0) {
		dst->at = malloc((size_t)src->niov);
		memcpy(dst->at, src->at, (size_t)src->niov);
	}
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
