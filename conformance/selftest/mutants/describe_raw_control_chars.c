/* describe escapes quotes and backslashes but writes control characters
 * (a tab, a newline) as they are. */
#include "mutant.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

MUTANT("DESC-1", "describe does not escape control characters");

int refstor_describe(const refstor *s, char *buf, size_t len)
{
	const char *name = s ? REF(filename(s)) : NULL;
	if (!name || !buf)
		return REF(describe(s, buf, len));
	size_t n = strlen(name);
	char *d = malloc(2 * n + 8);
	if (!d)
		return REF(describe(s, buf, len));
	size_t k = 0;
	memcpy(d, "file:\"", 6);
	k = 6;
	for (const char *c = name; *c; c++) {
		if (*c == '"' || *c == '\\')
			d[k++] = '\\';
		d[k++] = *c;
	}
	d[k++] = '"';
	d[k] = '\0';
	int r = 0;
	if (k + 1 > len) {
		if (len) {
			memcpy(buf, d, len - 1);
			buf[len - 1] = '\0';
		}
		r = mutant_fail(ERANGE, "describe: %zu bytes do not hold %zu", len, k + 1);
	} else {
		memcpy(buf, d, k + 1);
	}
	free(d);
	return r;
}
