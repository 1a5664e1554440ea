/* SPDX-License-Identifier: MIT */
/*
 * log.c - the op log: a header line with the run's settings, then one
 * numbered op per line.  The same text is printed on a mismatch, saved under
 * build/fsx/ and read back by --replay (docs/fsx.md).
 *
 *   # refstor-fsx 1 seed=42 max_size=1048576 direct=0 faults=1 backend=file
 *   1 write off=4096 iov=300,512,100 seed=77 fault=short:7
 *   2 zeroes off=100 len=5000
 *   3 resize size=8192 mode=allocate
 *   4 reopen cap=enodev
 */
#include "fsx.h"
#include "../names.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[OP_KINDS] = {
    "read", "write", "zeroes", "discard", "alloc", "resize", "flush", "sync", "reopen", "recreate"};
static const char *const cap_names[CAP_KINDS] = {"native", "eopnotsupp", "enodev", "enxio",
						 "enotty"};
static const char *const fault_names[F_KINDS] = {"none", "short", "eintr", "zerowrite", "eiosync"};

const char *fsx_kind_name(enum fsx_kind k)
{
	return k < OP_KINDS ? kind_names[k] : "?";
}

static int lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

int fsx_kind_parse(const char *name)
{
	return lookup(kind_names, OP_KINDS, name);
}

void fsx_log_header(FILE *f, const struct fsx_conf *c)
{
	fprintf(f,
		"# refstor-fsx 1 seed=%" PRIu64 " max_size=%" PRIu64
		" direct=%d faults=%d backend=%s target=%s impl=%s\n",
		c->seed, c->max_size, c->direct, c->faults, c->backend, c->target, c->impl_path);
}

void fsx_log_op(FILE *f, size_t n, const struct fsx_op *op)
{
	fprintf(f, "%zu %s", n, fsx_kind_name(op->kind));
	switch (op->kind) {
	case OP_READ:
	case OP_WRITE:
		fprintf(f, " off=%" PRIu64 " iov=", op->off);
		for (int i = 0; i < op->niov; i++)
			fprintf(f, "%s%u", i ? "," : "", op->iov[i]);
		if (op->kind == OP_WRITE)
			fprintf(f, " seed=%u", op->seed);
		break;
	case OP_ZEROES:
	case OP_DISCARD:
	case OP_ALLOC:
		fprintf(f, " off=%" PRIu64 " len=%" PRIu64, op->off, op->len);
		break;
	case OP_RESIZE:
	case OP_RECREATE:
		fprintf(f, " size=%" PRIu64 " mode=%s", op->off,
			refstor_prealloc_name((enum refstor_prealloc)op->mode));
		break;
	case OP_REOPEN:
		fprintf(f, " cap=%s", cap_names[op->mode % CAP_KINDS]);
		break;
	default:
		break;
	}
	if (op->fault == F_SHORT)
		fprintf(f, " fault=short:%u", op->fault_arg);
	else if (op->fault != F_NONE)
		fprintf(f, " fault=%s", fault_names[op->fault]);
	fputc('\n', f);
}

static int parse_op(char *line, struct fsx_op *op)
{
	char *save, *tok = strtok_r(line, " \t\n", &save); /* the number */
	if (!tok || !(tok = strtok_r(NULL, " \t\n", &save)))
		return -1;
	int k = fsx_kind_parse(tok);
	if (k < 0)
		return -1;
	*op = (struct fsx_op){.kind = (enum fsx_kind)k};
	while ((tok = strtok_r(NULL, " \t\n", &save))) {
		char *v = strchr(tok, '=');
		if (!v)
			return -1;
		*v++ = '\0';
		if (!strcmp(tok, "off") || !strcmp(tok, "size")) {
			op->off = strtoull(v, NULL, 0);
		} else if (!strcmp(tok, "len")) {
			op->len = strtoull(v, NULL, 0);
		} else if (!strcmp(tok, "seed")) {
			op->seed = (uint32_t)strtoul(v, NULL, 0);
		} else if (!strcmp(tok, "mode")) {
			op->mode = refstor_prealloc_parse(v);
			if (op->mode < 0)
				return -1;
		} else if (!strcmp(tok, "cap")) {
			op->mode = lookup(cap_names, CAP_KINDS, v);
			if (op->mode < 0)
				return -1;
		} else if (!strcmp(tok, "iov")) {
			int n = 1;
			for (char *p = v; *p; p++)
				n += *p == ',';
			op->iov = malloc(sizeof(*op->iov) * (size_t)n);
			op->niov = 0;
			op->len = 0;
			for (char *s2, *p = strtok_r(v, ",", &s2); p;
			     p = strtok_r(NULL, ",", &s2)) {
				op->iov[op->niov] = (uint32_t)strtoul(p, NULL, 0);
				op->len += op->iov[op->niov++];
			}
		} else if (!strcmp(tok, "fault")) {
			char *arg = strchr(v, ':');
			if (arg)
				*arg++ = '\0';
			int fk = lookup(fault_names, F_KINDS, v);
			if (fk < 0)
				return -1;
			op->fault = (enum fsx_fault)fk;
			op->fault_arg = arg ? (uint32_t)strtoul(arg, NULL, 0) : 0;
		} else {
			return -1;
		}
	}
	return 0;
}

int fsx_log_read(const char *path, struct fsx_conf *c, struct fsx_seq *seq, char *err,
		 size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read %s", path);
		return -1;
	}
	char line[65536];
	size_t lineno = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (line[0] == '#') {
			/* Settings that must match the recording; the rest is information. */
			const char *p;
			if ((p = strstr(line, " seed=")))
				c->seed = strtoull(p + 6, NULL, 0);
			if ((p = strstr(line, " max_size=")))
				c->max_size = strtoull(p + 10, NULL, 0);
			if ((p = strstr(line, " direct=")))
				c->direct = p[8] == '1';
			if ((p = strstr(line, " faults=")))
				c->faults = p[8] == '1';
			continue;
		}
		if (line[0] == '\n')
			continue;
		struct fsx_op op;
		if (parse_op(line, &op)) {
			snprintf(err, errlen, "%s:%zu: not an op", path, lineno);
			fclose(f);
			return -1;
		}
		fsx_seq_push(seq, &op);
		fsx_op_free(&op);
	}
	fclose(f);
	return 0;
}
