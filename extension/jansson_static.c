/*
 * jansson_static.c
 *	  Lets Debian's libjansson.a link into cos.so.
 *
 * cos.so carries its own copy of jansson with hidden symbols (see the
 * Makefile: the postgres binary exports a json_object() of its own that would
 * shadow jansson's).  Debian builds libjansson.a with -fPIE, whose one
 * PC-relative reference to a shared library's data is stdin (json_loadf on
 * standard input); that reference resolves to this hidden pointer instead.
 * Nothing in the server reads JSON from standard input.
 */
__attribute__((visibility("hidden"))) void *stdin = 0;
