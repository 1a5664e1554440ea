/* SPDX-License-Identifier: MIT */
/* LIMITS: what an implementation declares it does not do must hold. */
#include "names.h"
#include "suite.h"

RS_CLAUSE_TEST(limits, declared_limits_hold, "LIMITS-1")
{
	uint64_t lim = rs_impl_limits(impl), again = rs_impl_limits(impl);
	T_EQ(again, lim, "refstor_limits() on a second call");
	cr_expect_eq(lim & ~rs_limits_known(), 0,
		     "refstor_limits() is %#llx: bits %#llx are no refstor_limit; on %s",
		     (unsigned long long)lim, (unsigned long long)(lim & ~rs_limits_known()),
		     rs_where());
	char *want = t_alloc(0, MiB);
	const char *p = t_target(MiB, 90, want);
	refstor *s = t_open(p, true);
	size_t u = t_unit(s);
	uint64_t size = impl->size(s);
	char *b = t_alloc(0, u);
	t_pattern(b, u, 91);
	struct f_snap before = f_snap(p);
	if (lim & REFSTOR_LIMIT_NO_RESIZE) {
		require_fn(resize);
		T_ERR(impl->resize(s, size + u, REFSTOR_PREALLOC_NONE), ENOTSUP);
		t_assert_unchanged(p, &before, "storage after a resize refused by no-resize");
	}
	/* A device has no growth to refuse or to make (DEV-END-1). */
	if (!rs_conf()->is_dev) {
		if (lim & REFSTOR_LIMIT_FIXED_SIZE) {
			T_FAILS(t_write(s, b, u, size));
			t_assert_unchanged(p, &before,
					   "file after a write past the end refused by "
					   "fixed-size");
			T_EQ(impl->size(s), size, "size after a refused write past the end");
		} else {
			T_OK(t_write(s, b, u, size));
			T_EQ(f_size(p), size + u,
			     "st_size after a write past the end (no fixed-size "
			     "declared)");
		}
	}
	impl->close(s);
}
