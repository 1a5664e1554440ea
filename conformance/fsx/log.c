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
 *
 * and the fuzzer's (docs/fuzz.md): another handle (h=1, h=null), iovecs that
 * are misplaced (iov=512@plus1,9223372036854775808@guard) or not there at
 * all (iov=null niov=-3), modes out of range (mode=4), and
 *   5 recreate size=0 mode=off keep=1 overwrite=1
 *   6 naming h=2 dlen=12 rel=2e2e2f61
 */
#include "fsx.h"
#include "../names.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[OP_KINDS] = {
    "read", "write",  "zeroes",   "discard", "alloc", "resize",     "flush",
    "sync", "reopen", "recreate", "close",   "size",  "invalidate", "naming"};
/* An iovec's place (enum fsx_at), after its length: "512@plus1". */
static const char *const at_names[AT_KINDS] = {"", "plus1", "null", "guard"};
static const char *const cap_names[CAP_KINDS] = {"native", "eopnotsupp", "enodev", "enxio",
						 "enotty"};
static const char *const fault_names[F_KINDS] = {"none", "short", "eintr", "zerowrite", "eiosync"};

static const char *fsx_kind_name(enum fsx_kind k)
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
		" direct=%d faults=%d profile=%s backend=%s target=%s impl=%s\n",
		c->seed, c->max_size, c->direct, c->faults, refstor_profile_name(c->profile),
		c->backend, c->target, c->impl_path);
}

void fsx_log_op(FILE *f, size_t n, const struct fsx_op *op)
{
	fprintf(f, "%zu %s", n, fsx_kind_name(op->kind));
	if (op->handle == MODEL_NULL_HANDLE)
		fputs(" h=null", f);
	else if (op->handle)
		fprintf(f, " h=%d", op->handle);
	switch (op->kind) {
	case OP_READ:
	case OP_WRITE:
		fprintf(f, " off=%" PRIu64 " iov=", op->off);
		if (op->iov_null)
			fprintf(f, "null niov=%d", op->niov);
		for (int i = 0; !op->iov_null && i < op->niov; i++) {
			uint8_t at = op->at ? op->at[i] : AT_ALIGNED;
			fprintf(f, "%s%" PRIu64 "%s%s", i ? "," : "", op->iov[i], at ? "@" : "",
				at_names[at % AT_KINDS]);
		}
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
		fprintf(f, " size=%" PRIu64, op->off);
		if (op->mode >= 0 && op->mode < REFSTOR_PREALLOC_MODES)
			fprintf(f, " mode=%s",
				refstor_prealloc_name((enum refstor_prealloc)op->mode));
		else
			fprintf(f, " mode=%d", op->mode);
		if (op->keep)
			fputs(" keep=1", f);
		if (op->overwrite)
			fputs(" overwrite=1", f);
		break;
	case OP_REOPEN:
		fprintf(f, " cap=%s", cap_names[op->mode % CAP_KINDS]);
		break;
	case OP_NAMING:
		fprintf(f, " dlen=%u rel=", op->dlen);
		for (size_t i = 0; i < sizeof(op->rel) && op->rel[i]; i++)
			fprintf(f, "%02x", (uint8_t)op->rel[i]);
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

/* iov=LEN[@AT],... into op (op->iov and op->at malloc'd). */
static int parse_iov(char *v, struct fsx_op *op)
{
	if (!strcmp(v, "null"))
		return op->iov_null = true, 0;
	int n = 1;
	for (char *p = v; *p; p++)
		n += *p == ',';
	op->iov = malloc(sizeof(*op->iov) * (size_t)n);
	op->at = calloc((size_t)n, 1);
	op->niov = 0;
	op->len = 0;
	for (char *s2, *p = strtok_r(v, ",", &s2); p; p = strtok_r(NULL, ",", &s2)) {
		char *at = strchr(p, '@');
		if (at) {
			*at++ = '\0';
			int k = lookup(at_names, AT_KINDS, at);
			if (k <= 0)
				return -1;
			op->at[op->niov] = (uint8_t)k;
		}
		op->iov[op->niov] = strtoull(p, NULL, 0);
		op->len += op->iov[op->niov++];
	}
	return 0;
}

static int parse_op(char *line, struct fsx_op *op)
{
	*op = (struct fsx_op){0};
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
		if (!strcmp(tok, "h")) {
			op->handle = !strcmp(v, "null") ? MODEL_NULL_HANDLE : atoi(v);
			if (op->handle >= MODEL_HANDLES || op->handle < MODEL_NULL_HANDLE)
				return -1;
		} else if (!strcmp(tok, "niov")) {
			op->niov = atoi(v);
		} else if (!strcmp(tok, "keep")) {
			op->keep = atoi(v);
		} else if (!strcmp(tok, "overwrite")) {
			op->overwrite = atoi(v);
		} else if (!strcmp(tok, "dlen")) {
			op->dlen = (uint8_t)atoi(v);
		} else if (!strcmp(tok, "rel")) {
			for (size_t i = 0; i + 1 < sizeof(op->rel) && v[2 * i] && v[2 * i + 1]; i++)
				op->rel[i] =
				    (char)strtoul((char[]){v[2 * i], v[2 * i + 1], 0}, NULL, 16);
		} else if (!strcmp(tok, "off") || !strcmp(tok, "size")) {
			op->off = strtoull(v, NULL, 0);
		} else if (!strcmp(tok, "len")) {
			op->len = strtoull(v, NULL, 0);
		} else if (!strcmp(tok, "seed")) {
			op->seed = (uint32_t)strtoul(v, NULL, 0);
		} else if (!strcmp(tok, "mode")) {
			char *end;
			op->mode = refstor_prealloc_parse(v);
			if (op->mode < 0 &&
			    ((op->mode = (int)strtol(v, &end, 10)), end == v || *end))
				return -1;
		} else if (!strcmp(tok, "cap")) {
			op->mode = lookup(cap_names, CAP_KINDS, v);
			if (op->mode < 0)
				return -1;
		} else if (!strcmp(tok, "iov")) {
			if (parse_iov(v, op))
				return -1;
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
			if ((p = strstr(line, " profile=")))
				c->profile = !strncmp(p + 9, "keep-length", 11)
						 ? REFSTOR_PROFILE_KEEP_LENGTH
						 : REFSTOR_PROFILE_IMAGO;
			continue;
		}
		if (line[0] == '\n')
			continue;
		struct fsx_op op;
		if (parse_op(line, &op)) {
			fsx_op_free(&op);
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
