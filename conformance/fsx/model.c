/* SPDX-License-Identifier: MIT */
/* model.c - the model's storage; the rules that change it live in exec.c,
 * next to the calls they predict. */
#include "fsx.h"

#include <stdlib.h>
#include <string.h>

int fsx_model_init(struct fsx_model *m, const struct fsx_conf *c)
{
	memset(m, 0, sizeof(*m));
	m->cap = c->max_size;
	m->data = calloc(1, m->cap);
	if (!m->data)
		return -1;
	if (c->is_dev)
		m->size = m->phys = c->dev_size;
	return 0;
}

void fsx_model_free(struct fsx_model *m)
{
	free(m->data);
	m->data = NULL;
}
