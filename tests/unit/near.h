/*
 * assert_near for the unit tests: cmocka 1.1.5 has no assert_double_equal.
 * Include after <cmocka.h>.
 */
#ifndef PROFLAB_TESTS_NEAR_H
#define PROFLAB_TESTS_NEAR_H

#define assert_near(a, b, eps) near_check((a), (b), (eps), __FILE__, __LINE__)

static inline void
near_check(double a, double b, double eps, const char *file, int line)
{
	double d = a - b;

	if (d < 0)
		d = -d;
	if (!(d <= eps))
		fail_msg("%s:%d: %.9g != %.9g", file, line, a, b);
}

#endif
