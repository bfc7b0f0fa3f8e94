/*
 * proflab: entry point. Everything is dispatched from cli.c.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>

#include "base/xmalloc.h"
#include "cli.h"

int
main(int argc, char **argv)
{
	setlocale(LC_CTYPE, "");
	fatal_set_progname("proflab");
	return cli_main(argc, argv);
}
