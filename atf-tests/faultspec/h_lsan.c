/*
 * libatf-c 0.21 leaks its test-case list when a program is asked to list
 * its cases (-l), which kyua does first; under the sanitizer flavour
 * LeakSanitizer would call every program broken.  Suppress leaks that
 * libatf-c makes, and only those (the engine's own stay reported), and
 * keep the list of used suppressions off stderr, which kyua watches.
 */

const char	*__lsan_default_options(void);
const char	*__lsan_default_suppressions(void);

const char *
__lsan_default_options(void)
{

	return "print_suppressions=0";
}

const char *
__lsan_default_suppressions(void)
{

	return "leak:libatf-c.so\n";
}
