/*
 * secrets.c
 *	  The secrets Cos signs and checks sign-ins with (the JWT secret, the
 *	  Telegram bot token), read from files that cos.jwt_secret_file and
 *	  cos.bot_token_file name.  A secret is never the value of a setting:
 *	  members of pg_read_all_settings (pg_monitor, for example) can SHOW any
 *	  setting, superuser-only ones included, but cannot read a file that only
 *	  the postgres OS user may read.
 *
 *	  A file is read when first needed and again whenever the setting names
 *	  another file or the file changes (device, inode, size, mtime or ctime:
 *	  one stat() per use), so a reload after rotating a secret takes effect
 *	  at the next request of every backend and gateway worker.
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utils/guc.h"
#include "utils/memutils.h"

#include "cos.h"

/* Longest secret file read (a JWT secret or a bot token is far shorter). */
#define SECRET_MAX_BYTES 4096

/* What is known of one secret file, kept for the life of the process. */
typedef struct SecretCache
{
	const char *setting;		/* "cos.jwt_secret_file" */
	char	  **path_var;		/* the setting's variable */
	char	   *path;			/* the file last read, or NULL */
	struct stat st;				/* its stat() when read */
	char	   *value;			/* its contents, trailing blanks cut */
} SecretCache;

static SecretCache secrets[] = {
	[COS_SECRET_JWT] = {"cos.jwt_secret_file", &cos_jwt_secret_file},
	[COS_SECRET_BOT_TOKEN] = {"cos.bot_token_file", &cos_bot_token_file},
};

/* Whether two stat() results describe the same unchanged file. */
static bool
SameFile(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
		a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
		a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Forgets what c holds, wiping the old secret from memory first. */
static void
Forget(SecretCache *c)
{
	if (c->value != NULL)
	{
		explicit_bzero(c->value, strlen(c->value));
		pfree(c->value);
	}
	if (c->path != NULL)
		pfree(c->path);
	c->value = NULL;
	c->path = NULL;
}

/* Raises the error for a secret file that cannot be used. */
static void
pg_attribute_noreturn()
Refuse(const SecretCache *c, const char *path, const char *why, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("%s \"%s\" %s", c->setting, path, why),
			 hint != NULL ? errhint("%s", hint) : 0));
}

/*
 * Reads c's file at path into c (st: its stat()).  Refuses a file that is
 * not a regular file, that its group or others may access, that is empty
 * or longer than SECRET_MAX_BYTES.
 */
static void
ReadSecret(SecretCache *c, const char *path)
{
	char		buf[SECRET_MAX_BYTES + 1];
	struct stat st;
	ssize_t		n;
	int			fd;
	int			save_errno;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
	{
		save_errno = errno;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open %s \"%s\": %s", c->setting, path, strerror(save_errno)),
				 errhint("The file must exist and be readable by the operating-system user the server runs as; a relative name is relative to the data directory.")));
	}
	if (fstat(fd, &st) != 0)
	{
		save_errno = errno;
		close(fd);
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat %s \"%s\": %s", c->setting, path, strerror(save_errno))));
	}
	if (!S_ISREG(st.st_mode))
	{
		close(fd);
		Refuse(c, path, "is not a regular file", NULL);
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
	{
		close(fd);
		Refuse(c, path, "has group or world access",
			   "The secret must be readable by the server's operating-system user only: chmod 600 it.");
	}
	n = read(fd, buf, sizeof(buf));
	save_errno = errno;
	close(fd);
	if (n < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read %s \"%s\": %s", c->setting, path, strerror(save_errno))));
	if (n > SECRET_MAX_BYTES)
		Refuse(c, path, psprintf("is longer than %d bytes", SECRET_MAX_BYTES), NULL);
	/* "echo secret > file" ends it with a newline that is not the secret's */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' ||
					 buf[n - 1] == '\t'))
		n--;
	if (n == 0 || memchr(buf, '\0', n) != NULL)
	{
		explicit_bzero(buf, sizeof(buf));
		Refuse(c, path, n == 0 ? "is empty" : "contains a NUL byte", NULL);
	}

	Forget(c);
	c->value = MemoryContextAlloc(TopMemoryContext, n + 1);
	memcpy(c->value, buf, n);
	c->value[n] = '\0';
	explicit_bzero(buf, sizeof(buf));
	c->path = MemoryContextStrdup(TopMemoryContext, path);
	c->st = st;
}

/* cos_secret: see cos.h */
const char *
cos_secret(CosSecret which)
{
	SecretCache *c = &secrets[which];
	const char *path = *c->path_var;
	struct stat st;

	if (path == NULL || path[0] == '\0')
	{
		Forget(c);
		return NULL;
	}
	if (c->path != NULL && strcmp(c->path, path) == 0 &&
		stat(path, &st) == 0 && SameFile(&st, &c->st))
		return c->value;
	ReadSecret(c, path);
	return c->value;
}
