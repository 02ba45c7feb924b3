/*
 * http_static.c
 *	  GET/HEAD /app/<path>: the mini-app's built files (web/, installed by
 *	  make install into <sharedir>/cos_app, or cos.http_app_dir).  The rules
 *	  are webapp.c's: a path that may name a file, its Content-Type and
 *	  Cache-Control (hashed assets immutable for a year, index.html
 *	  revalidated), the precompressed "<file>.gz" when the client takes gzip.
 *	  A path that names no file inside the directory (or a directory) is
 *	  the page itself (index.html, for the page's own routing); one that
 *	  leaves it ("..", "%2e%2e", a symbolic link out) is 404.  No directory
 *	  is ever listed.
 */
#include "postgres.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "miscadmin.h"

#include "cos.h"
#include "http.h"
#include "pgrst.h"
#include "webapp.h"

/* The directory the files are served from: cos.http_app_dir or <sharedir>/cos_app. */
static const char *
AppDir(void)
{
	static char dflt[MAXPGPATH];

	if (cos_http_app_dir != NULL && cos_http_app_dir[0] != '\0')
		return cos_http_app_dir;
	if (dflt[0] == '\0')
	{
		char		share[MAXPGPATH];

		get_share_path(my_exec_path, share);
		snprintf(dflt, sizeof(dflt), "%s/cos_app", share);
	}
	return dflt;
}

/* How a file under the directory was found (OpenInside). */
typedef enum
{
	FILE_OPEN,					/* a regular file inside: fd is open */
	FILE_MISSING,				/* nothing there, or not a regular file */
	FILE_OUTSIDE				/* resolves outside the directory */
} FileFound;

/*
 * Opens rel (passed cos_webapp_path_ok) under dir (a real path: no
 * symbolic links, no trailing '/') if, its symbolic links resolved, it is a
 * regular file still inside dir; *fd and *st receive it.
 */
static FileFound
OpenInside(const char *dir, const char *rel, int *fd, struct stat *st)
{
	char	   *path = psprintf("%s/%s", dir, rel);
	char		real[PATH_MAX];
	size_t		dirlen = strlen(dir);

	if (realpath(path, real) == NULL)
		return FILE_MISSING;
	if (strncmp(real, dir, dirlen) != 0 || real[dirlen] != '/')
		return FILE_OUTSIDE;
	*fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (*fd < 0)
		return FILE_MISSING;
	if (fstat(*fd, st) != 0 || !S_ISREG(st->st_mode))
	{
		close(*fd);
		*fd = -1;
		return FILE_MISSING;
	}
	return FILE_OPEN;
}

/* Answers 404 in PostgREST's error shape, saying why. */
static void
NotFound(CosHttpResponse *resp, const char *detail, const char *hint)
{
	cos_http_error(resp, 404, "PGRST125", "no such file", detail, hint);
}

/* cos_http_static: see http.h */
void
cos_http_static(CosHttpRequest *req, const char *rel, CosHttpResponse *resp)
{
	char		dir[PATH_MAX];
	const char *name;
	const char *type_name;
	struct stat st;
	int			fd = -1;
	FileFound	found;
	bool		gzip = false;
	char	   *etag;

	if (realpath(AppDir(), dir) == NULL)
	{
		NotFound(resp, psprintf("The mini-app is not installed in %s.", AppDir()),
				 "make install installs it there; or set cos.http_app_dir.");
		return;
	}
	if (!cos_webapp_path_ok(rel))
	{
		NotFound(resp, "The path does not name a file of the mini-app.", NULL);
		return;
	}

	name = rel[0] != '\0' ? rel : "index.html";
	found = OpenInside(dir, name, &fd, &st);
	if (found == FILE_OUTSIDE)
	{
		NotFound(resp, "The path does not name a file of the mini-app.", NULL);
		return;
	}
	if (found == FILE_MISSING)
	{
		/* a route of the page itself: the page */
		name = "index.html";
		if (OpenInside(dir, name, &fd, &st) != FILE_OPEN)
		{
			NotFound(resp, psprintf("%s/index.html is missing.", dir),
					 "Build and install the mini-app (make && make install).");
			return;
		}
	}
	type_name = name;

	/* the precompressed copy, when the client takes it */
	if (cos_accepts_gzip(req->accept_encoding))
	{
		int			gzfd = -1;
		struct stat gzst;

		if (OpenInside(dir, psprintf("%s.gz", name), &gzfd, &gzst) == FILE_OPEN)
		{
			close(fd);
			fd = gzfd;
			st = gzst;
			gzip = true;
		}
	}

	etag = psprintf("\"%llx-%llx%s\"", (unsigned long long) st.st_size,
					(unsigned long long) st.st_mtime, gzip ? "-gz" : "");
	memset(resp, 0, sizeof(*resp));
	resp->content_type = cos_webapp_content_type(type_name);
	resp->cache_control = cos_webapp_cache_control(name);
	resp->etag = etag;
	resp->vary = "Accept-Encoding";
	resp->content_encoding = gzip ? "gzip" : NULL;
	if (cos_etag_matches(req->if_none_match, etag))
	{
		close(fd);
		resp->status = 304;
		resp->content_type = NULL;
		resp->body = "";
		return;
	}
	resp->status = 200;
	resp->from_file = true;
	resp->file_fd = fd;
	resp->file_size = (uint64) st.st_size;
}
