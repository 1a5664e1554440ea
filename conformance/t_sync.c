/* SPDX-License-Identifier: MIT */
/* SYNC: flush, sync, invalidate_cache. */
#include "suite.h"

RS_CLAUSE_TEST(sync, succeed_on_writable_and_read_only, "SYNC-1")
{
	require_fn(flush);
	require_fn(sync);
	require_fn(invalidate_cache);
	const char *p = t_target(4096, 90, NULL);
	for (int w = 1; w >= 0; w--) {
		refstor *s = t_open(p, w);
		if (w) {
			char *b = t_alloc(0, t_unit(s));
			T_OK(t_write(s, b, t_unit(s), 0));
		}
		T_OK(impl->flush(s));
		T_OK(impl->sync(s));
		T_OK(impl->invalidate_cache(s));
		impl->close(s);
	}
}
