/*
 * extract_telegram.c
 *	  Telegram public channels: the t.me/s/<channel> preview page and the
 *	  plain t.me/<channel> page, read with libxml2's HTML parser.
 *
 * Preview page (t.me/s/<channel>, t.me/s/<channel>?before=N):
 *   .tgme_channel_info: header title, header username "@name", avatar
 *       <img>, and .tgme_channel_info_counter blocks (.counter_value
 *       "15.4K" + .counter_type "subscribers" / "photos" / "videos" / "links")
 *   .tgme_widget_message[data-post="Name/N"], one per post: the text in
 *       .tgme_widget_message_text, the views in .tgme_widget_message_views
 *       ("1.98K"; service messages have none), the time in
 *       .tgme_widget_message_date <time datetime="…+00:00">, a picture in
 *       the style "background-image:url('…')" of .tgme_widget_message_photo_wrap
 *       or .tgme_widget_message_video_thumb
 *   <link rel="prev" href="/s/<channel>?before=N">: the older page
 * Plain page (t.me/<channel>): .tgme_page_title, .tgme_page_extra
 *   "10 114 749 subscribers" (an exact count), og:title, og:image.
 * A video job wants one post of a preview page: cos_extract_telegram_post
 * parses only that post's div (the page's other ~20 posts are most of its
 * parse), and the whole page whenever that does not give the post.
 * Views on the preview page are abbreviated, so they are exact only to the
 * digits shown.  Captured examples and their values: test/fixtures/telegram,
 * test/fixtures/SOURCES.md.
 *
 * The parser is shared with the server: xmlInitParser() may run any number
 * of times; xmlCleanupParser() must never run here.  Every walk of the tree
 * is iterative, so a deeply nested page cannot exhaust the stack.
 *
 * Pure C: never includes postgres.h.
 */
#include "extract_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

/* Telegram usernames are 5..32 bytes; data-post names are the same ones */
#define TG_NAME_MAX 64

/* Message numbers are at most 10 digits */
#define TG_NUMBER_MAX 10

/* Characters of a post's text kept as its title */
#define TITLE_CHARS 200

/* Bytes of short texts read from the page (titles, counters, extras) */
#define TEXT_MAX 1024

/* Bytes of a URL we keep (avatars and thumbnails are ~400) */
#define TG_URL_MAX 4096

/* Bytes at the end of a page searched for "</html" */
#define TAIL_BYTES 4096

/* Bytes of a page string we quote in a reason */
#define QUOTE_MAX 200

/* Options of htmlReadMemory: tolerate anything, say nothing, fetch nothing */
#define HTML_OPTIONS (HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | \
					  HTML_PARSE_NOWARNING | HTML_PARSE_NONET)

/* Text collected from a subtree, whitespace collapsed, at most max_chars */
typedef struct TextBuf
{
	char		buf[TEXT_MAX];
	size_t		len;
	size_t		chars;			/* code points in buf */
	size_t		max_chars;
	bool		pending_space;	/* blank seen since the last character */
	bool		full;
} TextBuf;

/* What one walk of the page finds */
typedef struct TgPage
{
	bool		preview;		/* has .tgme_channel_info */
	bool		plain;			/* has .tgme_page */
	char		header_title[TEXT_MAX];
	char		header_username[TEXT_MAX];
	char		avatar[TG_URL_MAX];
	bool		has_followers;
	long long	followers;
	bool		has_videos;
	long long	videos;
	char		before[TG_NUMBER_MAX + 1];	/* rel="prev" page */
	bool		has_page_title;
	char		page_title[TEXT_MAX];
	bool		has_page_extra;
	char		page_extra[TEXT_MAX];
	char		page_photo[TG_URL_MAX];
	char		og_title[TEXT_MAX];
	char		og_image[TG_URL_MAX];
	char		resolve_domain[TG_NAME_MAX + 1];	/* al:android:url domain= */
	json_t	   *posts;			/* array of video objects */
} TgPage;

/* ---- small string helpers ---- */

/* ASCII lower case of s in place */
static void
LowerInPlace(char *s)
{
	for (; *s; s++)
	{
		if (*s >= 'A' && *s <= 'Z')
			*s = (char) (*s - 'A' + 'a');
	}
}

/* True when s (n bytes) is a Telegram name: 1..TG_NAME_MAX of [A-Za-z0-9_] */
static bool
IsNameN(const char *s, size_t n)
{
	if (n == 0 || n > TG_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
	{
		char		c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

/* Copy name (n bytes) into out (TG_NAME_MAX + 1) in lower case, if it is one */
static bool
CopyName(const char *s, size_t n, char *out)
{
	if (!IsNameN(s, n))
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	LowerInPlace(out);
	return true;
}

/*
 * Copy the NUL-terminated src into dst (size > 0 bytes), cut when too long
 * before a UTF-8 lead byte, so the copy stays valid UTF-8.
 */
static void
CopyCut(char *dst, size_t size, const char *src)
{
	size_t		n = src ? strlen(src) : 0;

	if (n >= size)
	{
		n = size - 1;
		while (n > 0 && ((unsigned char) src[n] & 0xC0) == 0x80)
			n--;
	}
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/* True when c is an HTML blank */
static inline bool
IsBlank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* ---- reading the tree ---- */

/* Value of attribute name of element node (borrowed), or NULL */
static const char *
AttrValue(const xmlNode *node, const char *name)
{
	for (const xmlAttr *a = node->properties; a != NULL; a = a->next)
	{
		if (a->name != NULL && xmlStrcasecmp(a->name, (const xmlChar *) name) == 0)
		{
			/* HTML attribute values are one text node (none when empty) */
			if (a->children != NULL && a->children->type == XML_TEXT_NODE &&
				a->children->content != NULL)
				return (const char *) a->children->content;
			return "";
		}
	}
	return NULL;
}

/* True when node is an element whose class attribute has the token cls */
static bool
HasClass(const xmlNode *node, const char *cls)
{
	const char *v;
	size_t		n = strlen(cls);

	if (node->type != XML_ELEMENT_NODE || (v = AttrValue(node, "class")) == NULL)
		return false;
	while (*v)
	{
		size_t		tok;

		while (IsBlank((unsigned char) *v))
			v++;
		tok = 0;
		while (v[tok] && !IsBlank((unsigned char) v[tok]))
			tok++;
		if (tok == n && memcmp(v, cls, n) == 0)
			return true;
		v += tok;
	}
	return false;
}

/* True when node is the element name (lower case) */
static bool
IsElement(const xmlNode *node, const char *name)
{
	return node->type == XML_ELEMENT_NODE && node->name != NULL &&
		xmlStrcasecmp(node->name, (const xmlChar *) name) == 0;
}

/*
 * The node after cur in document order, staying inside top; the children
 * of cur are visited only when descend.  NULL at the end of top.
 */
static xmlNode *
NextNode(xmlNode *cur, const xmlNode *top, bool descend)
{
	if (descend && cur->type == XML_ELEMENT_NODE && cur->children != NULL)
		return cur->children;
	while (cur != NULL && cur != top)
	{
		if (cur->next != NULL)
			return cur->next;
		cur = cur->parent;
	}
	return NULL;
}

/* The first element at or below top that has class cls, or NULL */
static xmlNode *
FindClass(xmlNode *top, const char *cls)
{
	for (xmlNode *n = top; n != NULL; n = NextNode(n, top, true))
	{
		if (HasClass(n, cls))
			return n;
	}
	return NULL;
}

/* The first element name at or below top, or NULL */
static xmlNode *
FindElement(xmlNode *top, const char *name)
{
	for (xmlNode *n = top; n != NULL; n = NextNode(n, top, true))
	{
		if (IsElement(n, name))
			return n;
	}
	return NULL;
}

/* Make tb empty, to hold at most max_chars characters */
static void
TextInit(TextBuf *tb, size_t max_chars)
{
	tb->len = 0;
	tb->chars = 0;
	tb->max_chars = max_chars;
	tb->pending_space = false;
	tb->full = false;
	tb->buf[0] = '\0';
}

/*
 * Append s to tb: blanks collapsed, a byte that is not UTF-8 written as
 * "?", stopping before tb->max_chars characters.
 */
static void
TextAppend(TextBuf *tb, const char *s)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		left = strlen(s);

	while (left > 0 && !tb->full)
	{
		size_t		k;
		size_t		blank;

		if (IsBlank(*p))
		{
			tb->pending_space = tb->len > 0;
			p++;
			left--;
			continue;
		}
		k = cos_utf8_seq_len(p, left);
		blank = tb->pending_space ? 1 : 0;
		/* the character, its blank, and the NUL must fit */
		if (tb->chars + blank + 1 > tb->max_chars ||
			tb->len + blank + (k ? k : 1) + 1 > sizeof(tb->buf))
		{
			tb->full = true;
			break;
		}
		if (blank)
		{
			tb->buf[tb->len++] = ' ';
			tb->chars++;
			tb->pending_space = false;
		}
		if (k == 0)
		{
			tb->buf[tb->len++] = '?';
			k = 1;
		}
		else
		{
			memcpy(tb->buf + tb->len, p, k);
			tb->len += k;
		}
		tb->chars++;
		p += k;
		left -= k;
	}
	tb->buf[tb->len] = '\0';
}

/*
 * Text of the subtree top into tb (at most max_chars characters); <br>
 * counts as a blank; subtrees with class skip_cls (may be NULL) are left
 * out.
 */
static void
CollectText(xmlNode *top, TextBuf *tb, size_t max_chars, const char *skip_cls)
{
	xmlNode    *n = top;

	TextInit(tb, max_chars);
	while (n != NULL && !tb->full)
	{
		bool		descend = true;

		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
		{
			if (n->content != NULL)
				TextAppend(tb, (const char *) n->content);
		}
		else if (IsElement(n, "br"))
			tb->pending_space = tb->len > 0;
		else if (n != top && skip_cls != NULL && HasClass(n, skip_cls))
			descend = false;
		else if (IsElement(n, "script") || IsElement(n, "style"))
			descend = false;
		n = NextNode(n, top, descend);
	}
}

/* Text of top (collapsed, at most max_chars) copied into out (size bytes) */
static void
TextOf(xmlNode *top, char *out, size_t size, size_t max_chars)
{
	TextBuf		tb;

	CollectText(top, &tb, max_chars, NULL);
	CopyCut(out, size, tb.buf);
}

/*
 * The URL in a CSS style's "background-image:url('…')" into out (size
 * bytes), "//host/…" made https; false when there is none.
 */
static bool
BackgroundUrl(const char *style, char *out, size_t size)
{
	const char *p;
	const char *end;
	char		quote = 0;
	size_t		n;
	const char *prefix = "";

	if (style == NULL ||
		(p = cos_memmem_ci(style, strlen(style), "background-image", 16)) == NULL ||
		(p = cos_memmem_ci(p, strlen(p), "url(", 4)) == NULL)
		return false;
	p += 4;
	while (IsBlank((unsigned char) *p))
		p++;
	if (*p == '\'' || *p == '"')
		quote = *p++;
	end = p;
	while (*end && (quote ? *end != quote : (*end != ')' && !IsBlank((unsigned char) *end))))
		end++;
	if (*end == '\0')
		return false;			/* unterminated */
	n = (size_t) (end - p);
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
	{
		if ((unsigned char) p[i] < 0x20)
			return false;
	}
	if (n >= 2 && p[0] == '/' && p[1] == '/')
		prefix = "https:";
	if (strlen(prefix) + n >= size)
		return false;
	snprintf(out, size, "%s%.*s", prefix, (int) n, p);
	return true;
}

/* src of an <img> that is node or lies below it, into out; false if none */
static bool
ImageSrc(xmlNode *node, char *out, size_t size)
{
	xmlNode    *img = IsElement(node, "img") ? node : FindElement(node, "img");
	const char *src = img ? AttrValue(img, "src") : NULL;

	const char *prefix;
	size_t		plen;
	size_t		n;

	if (src == NULL || *src == '\0')
		return false;
	prefix = (src[0] == '/' && src[1] == '/') ? "https:" : "";
	plen = strlen(prefix);
	n = strlen(src);
	if (plen + n >= size)
		return false;
	memcpy(out, prefix, plen);
	memcpy(out + plen, src, n + 1);
	return true;
}

/* ---- the parts of a page ---- */

/*
 * A video from one .tgme_widget_message whose data-post is post ("Name/N");
 * NULL when data-post is not of that form.
 */
static json_t *
PostVideo(xmlNode *msg, const char *post)
{
	const char *slash = strrchr(post, '/');
	const char *number;
	char		name[TG_NAME_MAX + 1];
	char		id[TG_NAME_MAX + TG_NUMBER_MAX + 2];
	char		url[TG_NAME_MAX + TG_NUMBER_MAX + 32];
	char		thumb[TG_URL_MAX];
	xmlNode    *n;
	json_t	   *v;
	TextBuf		tb;
	size_t		nlen;

	if (slash == NULL || !CopyName(post, (size_t) (slash - post), name))
		return NULL;
	number = slash + 1;
	nlen = strlen(number);
	if (nlen == 0 || nlen > TG_NUMBER_MAX || strspn(number, "0123456789") != nlen)
		return NULL;
	v = cos_video_new();
	if (v == NULL)
		return NULL;
	snprintf(id, sizeof(id), "%s/%s", name, number);
	snprintf(url, sizeof(url), "https://t.me/%s/%s", name, number);
	cos_set_cstring(v, "id", id);
	cos_set_cstring(v, "channel_id", name);
	cos_set_cstring(v, "url", url);

	/* the first text outside a quoted reply is the post's own */
	for (n = msg; n != NULL;)
	{
		if (n != msg && HasClass(n, "tgme_widget_message_reply"))
		{
			n = NextNode(n, msg, false);
			continue;
		}
		if (HasClass(n, "tgme_widget_message_text"))
			break;
		n = NextNode(n, msg, true);
	}
	if (n != NULL)
	{
		CollectText(n, &tb, TITLE_CHARS, NULL);
		cos_set_cstring(v, "title", tb.buf);
	}

	/* views: absent on service messages, so null there */
	n = FindClass(msg, "tgme_widget_message_views");
	if (n != NULL)
	{
		long long	views;

		CollectText(n, &tb, 64, NULL);
		if (cos_parse_count(tb.buf, tb.len, &views))
			json_object_set_new(v, "views", json_integer(views));
	}

	n = FindClass(msg, "tgme_widget_message_date");
	if (n != NULL && (n = FindElement(n, "time")) != NULL)
	{
		const char *dt = AttrValue(n, "datetime");
		char		iso[COS_ISO_UTC_SIZE];

		if (dt != NULL && cos_iso_to_utc(dt, strlen(dt), iso, sizeof(iso)))
			cos_set_cstring(v, "published_at", iso);
	}

	n = FindClass(msg, "tgme_widget_message_photo_wrap");
	if (n == NULL)
		n = FindClass(msg, "tgme_widget_message_video_thumb");
	if (n != NULL && BackgroundUrl(AttrValue(n, "style"), thumb, sizeof(thumb)))
		cos_set_cstring(v, "thumbnail_url", thumb);
	return v;
}

/* Read one .tgme_channel_info_counter: "subscribers" and "videos" */
static void
ReadCounter(xmlNode *counter, TgPage *page)
{
	xmlNode    *value = FindClass(counter, "counter_value");
	xmlNode    *type = FindClass(counter, "counter_type");
	char		vtext[64];
	char		ttext[64];
	long long	n;

	if (value == NULL || type == NULL)
		return;
	TextOf(value, vtext, sizeof(vtext), 32);
	TextOf(type, ttext, sizeof(ttext), 32);
	if (!cos_parse_count(vtext, strlen(vtext), &n))
		return;
	if (strncmp(ttext, "subscriber", 10) == 0 || strncmp(ttext, "member", 6) == 0)
	{
		page->has_followers = true;
		page->followers = n;
	}
	else if (strncmp(ttext, "video", 5) == 0)
	{
		page->has_videos = true;
		page->videos = n;
	}
}

/* Read a <meta property=… content=…> of the head */
static void
ReadMeta(xmlNode *meta, TgPage *page)
{
	const char *prop = AttrValue(meta, "property");
	const char *content = AttrValue(meta, "content");

	if (prop == NULL || content == NULL)
		return;
	if (strcmp(prop, "og:title") == 0)
	{
		TextBuf		tb;

		/* blanks collapsed as in element text */
		TextInit(&tb, 256);
		TextAppend(&tb, content);
		CopyCut(page->og_title, sizeof(page->og_title), tb.buf);
	}
	else if (strcmp(prop, "og:image") == 0 && strlen(content) < sizeof(page->og_image))
		CopyCut(page->og_image, sizeof(page->og_image), content);
	else if (strcmp(prop, "al:android:url") == 0)
	{
		/* "tg://resolve?domain=durov" */
		const char *d = strstr(content, "domain=");

		if (d != NULL)
		{
			d += 7;
			CopyName(d, strcspn(d, "&#"), page->resolve_domain);
		}
	}
}

/* Read <link rel="prev" href="/s/name?before=N"> into page->before */
static void
ReadPrevLink(xmlNode *link, TgPage *page)
{
	const char *rel = AttrValue(link, "rel");
	const char *href = AttrValue(link, "href");
	const char *b;
	size_t		n;

	if (rel == NULL || href == NULL || xmlStrcasecmp((const xmlChar *) rel, (const xmlChar *) "prev") != 0)
		return;
	b = strstr(href, "before=");
	if (b == NULL)
		return;
	b += 7;
	n = strspn(b, "0123456789");
	if (n > 0 && n <= TG_NUMBER_MAX)
	{
		memcpy(page->before, b, n);
		page->before[n] = '\0';
	}
}

/* One walk over the document, filling page (posts included) */
static void
WalkPage(xmlDoc *doc, TgPage *page)
{
	xmlNode    *top = (xmlNode *) doc;
	xmlNode    *n = doc->children;

	while (n != NULL)
	{
		bool		descend = true;
		const char *post;

		if (n->type != XML_ELEMENT_NODE)
		{
			n = NextNode(n, top, false);
			continue;
		}
		if (HasClass(n, "tgme_widget_message") && (post = AttrValue(n, "data-post")) != NULL)
		{
			json_t	   *video = PostVideo(n, post);

			if (video != NULL)
				json_array_append_new(page->posts, video);
			descend = false;
		}
		else if (HasClass(n, "tgme_channel_info"))
			page->preview = true;
		else if (HasClass(n, "tgme_channel_info_header_title"))
			TextOf(n, page->header_title, sizeof(page->header_title), 256);
		else if (HasClass(n, "tgme_channel_info_header_username"))
			TextOf(n, page->header_username, sizeof(page->header_username), 128);
		else if (HasClass(n, "tgme_channel_info_counter"))
		{
			ReadCounter(n, page);
			descend = false;
		}
		else if (HasClass(n, "tgme_page_photo_image"))
		{
			/* the preview's header avatar, or the plain page's photo */
			if (page->avatar[0] == '\0')
				ImageSrc(n, page->avatar, sizeof(page->avatar));
			descend = false;
		}
		else if (HasClass(n, "tgme_page"))
			page->plain = true;
		else if (HasClass(n, "tgme_page_title"))
		{
			page->has_page_title = true;
			TextOf(n, page->page_title, sizeof(page->page_title), 256);
			descend = false;
		}
		else if (HasClass(n, "tgme_page_extra"))
		{
			page->has_page_extra = true;
			TextOf(n, page->page_extra, sizeof(page->page_extra), 256);
			descend = false;
		}
		else if (IsElement(n, "meta"))
			ReadMeta(n, page);
		else if (IsElement(n, "link"))
			ReadPrevLink(n, page);
		else if (IsElement(n, "script") || IsElement(n, "style"))
			descend = false;
		n = NextNode(n, top, descend);
	}
}

/*
 * The channel's name into out (TG_NAME_MAX + 1 bytes), lower case: the
 * page's own "@name", else the first post's, else the last name-shaped
 * segment of the URL's path (after "/s/" when there is one).
 */
static bool
ChannelName(const TgPage *page, const char *url, char *out)
{
	const char *h = page->header_username;
	const char *path;
	size_t		plen;
	size_t		i;
	bool		found = false;

	if (*h == '@')
		h++;
	if (CopyName(h, strlen(h), out))
		return true;
	if (page->resolve_domain[0] != '\0')
	{
		CopyCut(out, TG_NAME_MAX + 1, page->resolve_domain);
		return true;
	}
	if (json_array_size(page->posts) > 0)
	{
		const char *id = json_string_value(json_object_get(json_array_get(page->posts, 0),
														   "channel_id"));

		if (id != NULL && CopyName(id, strlen(id), out))
			return true;
	}
	path = cos_url_path(url);
	plen = strcspn(path, "?#");
	/* segments left to right; keep the last name, or the one after "s" */
	i = 0;
	while (i < plen)
	{
		size_t		seg;

		while (i < plen && path[i] == '/')
			i++;
		seg = 0;
		while (i + seg < plen && path[i + seg] != '/')
			seg++;
		if (seg == 1 && path[i] == 's' && i + 1 < plen)
		{
			size_t		j = i + 2;
			size_t		next = 0;

			while (j + next < plen && path[j + next] != '/')
				next++;
			if (CopyName(path + j, next, out))
				return true;
		}
		if (seg > 0 && CopyName(path + i, seg, out))
			found = true;
		i += seg;
	}
	return found;
}

/* Result of a preview page (t.me/s/…): the channel and its posts */
static json_t *
PreviewResult(TgPage *page, const char *url)
{
	json_t	   *result = cos_result_new(COS_TELEGRAM);
	char		name[TG_NAME_MAX + 1];
	size_t		i;
	json_t	   *video;

	if (result == NULL)
		return NULL;
	if (page->preview)
	{
		json_t	   *ch;

		if (!ChannelName(page, url, name))
			return cos_result_set_failure(result, "error",
										  "telegram preview page names no channel (no @username, posts or URL path)");
		ch = cos_channel_new();
		if (ch == NULL)
		{
			json_decref(result);
			return NULL;
		}
		cos_set_cstring(ch, "id", name);
		cos_set_cstring(ch, "handle", name);
		if (!cos_set_cstring(ch, "title", page->header_title))
			cos_set_cstring(ch, "title", page->og_title);
		if (page->has_followers)
			json_object_set_new(ch, "followers", json_integer(page->followers));
		/* the "videos" counter counts video posts only, not every post */
		if (page->has_videos)
			json_object_set_new(ch, "videos", json_integer(page->videos));
		if (!cos_set_cstring(ch, "avatar_url", page->avatar))
			cos_set_cstring(ch, "avatar_url", page->og_image);
		cos_result_add_channel(result, ch);
	}
	json_array_foreach(page->posts, i, video)
		cos_result_add_video(result, json_incref(video));
	if (page->before[0] != '\0')
		cos_set_cstring(result, "next", page->before);
	return result;
}

/* Result of a plain channel page (t.me/<name>): the channel, exact count */
static json_t *
PlainResult(TgPage *page, const char *url)
{
	char		name[TG_NAME_MAX + 1];
	long long	followers;
	json_t	   *result;
	json_t	   *ch;

	if (!ChannelName(page, url, name))
		CopyCut(name, sizeof(name), "?");
	if (!page->has_page_title || !page->has_page_extra)
		return cos_result_fail(COS_TELEGRAM, "unavailable",
							   "t.me/%s shows no channel (no %s): it does not exist or is not public",
							   name, page->has_page_title ? "tgme_page_extra" : "tgme_page_title");
	/* channels say "N subscribers", groups "N members, M online" */
	if (strstr(page->page_extra, "subscriber") == NULL && strstr(page->page_extra, "member") == NULL)
		return cos_result_fail(COS_TELEGRAM, "unavailable",
							   "t.me/%s is not a channel (tgme_page_extra \"%.*s\")",
							   name, QUOTE_MAX, page->page_extra);
	if (!cos_parse_count(page->page_extra, strlen(page->page_extra), &followers))
		return cos_result_fail(COS_TELEGRAM, "error",
							   "t.me/%s: no count in tgme_page_extra \"%.*s\"",
							   name, QUOTE_MAX, page->page_extra);
	if (strcmp(name, "?") == 0)
		return cos_result_fail(COS_TELEGRAM, "error",
							   "telegram channel page names no channel (no tg://resolve link, no URL path)");
	result = cos_result_new(COS_TELEGRAM);
	ch = cos_channel_new();
	if (result == NULL || ch == NULL)
	{
		json_decref(result);
		json_decref(ch);
		return NULL;
	}
	cos_set_cstring(ch, "id", name);
	cos_set_cstring(ch, "handle", name);
	/* og:title has the bare name; tgme_page_title adds the verified mark */
	if (!cos_set_cstring(ch, "title", page->og_title))
		cos_set_cstring(ch, "title", page->page_title);
	json_object_set_new(ch, "followers", json_integer(followers));
	if (!cos_set_cstring(ch, "avatar_url", page->avatar))
		cos_set_cstring(ch, "avatar_url", page->og_image);
	cos_result_add_channel(result, ch);
	return result;
}

/*
 * True when the page ends with its </html>.  A page cut short still parses
 * (the parser recovers), and a counter cut inside ("15.4K" -> "15.4") would
 * read as a wrong number: t.me pages always end with </html> (and a
 * comment), so its absence means the body was truncated.
 */
static bool
EndsWithHtml(const char *body, size_t len)
{
	size_t		tail = len > TAIL_BYTES ? len - TAIL_BYTES : 0;

	return cos_memmem_ci(body + tail, len - tail, "</html", 6) != NULL;
}

/*
 * html (len bytes, at most INT_MAX) parsed by libxml2 and walked into a new
 * TgPage (free it with FreePage); NULL when it does not parse as HTML or
 * memory runs out.
 */
static TgPage *
ReadPage(const char *html, size_t len)
{
	htmlDocPtr	doc;
	TgPage	   *page;

	xmlInitParser();
	doc = htmlReadMemory(html, (int) len, NULL, "UTF-8", HTML_OPTIONS);
	if (doc == NULL)
		return NULL;
	/* large buffers: off the stack */
	page = calloc(1, sizeof(TgPage));
	if (page == NULL || (page->posts = json_array()) == NULL)
	{
		free(page);
		xmlFreeDoc(doc);
		return NULL;
	}
	WalkPage(doc, page);
	xmlFreeDoc(doc);
	return page;
}

static void
FreePage(TgPage *page)
{
	json_decref(page->posts);
	free(page);
}

/*
 * cos_extract_telegram: see extract_int.h.  url: the request URL (its path
 * names the channel when the page does not); body: len bytes of a t.me
 * page, either the preview t.me/s/<channel>[?before=N] (channel with
 * abbreviated subscribers, posts with abbreviated views, "next" = the
 * before= of the older page) or the plain t.me/<channel> (channel with the
 * exact subscriber count, no posts).  Channels are keyed by the lower-case
 * username, posts by "<channel>/<n>" with url "https://t.me/<channel>/<n>".
 * Status "unavailable" for a page showing no public channel, "error" for
 * anything that is neither page and for a page cut before its </html>
 * (a counter cut short would read as a wrong number).
 */
json_t *
cos_extract_telegram(const char *url, const char *body, size_t len)
{
	TgPage	   *page;
	json_t	   *result;

	if (body == NULL || len == 0)
		return cos_result_fail(COS_TELEGRAM, "error", "empty body");
	if (len > (size_t) INT_MAX)
		return cos_result_fail(COS_TELEGRAM, "error", "body of %zu bytes is too large to parse", len);
	if (!EndsWithHtml(body, len))
		return cos_result_fail(COS_TELEGRAM, "error",
							   "the page does not end with </html>: truncated, or not a t.me page");

	page = ReadPage(body, len);
	if (page == NULL)
		return cos_result_fail(COS_TELEGRAM, "error", "the body does not parse as HTML");

	if (page->preview || json_array_size(page->posts) > 0)
		result = PreviewResult(page, url);
	else if (page->plain || page->has_page_title || page->has_page_extra)
		result = PlainResult(page, url);
	else
		result = cos_result_fail(COS_TELEGRAM, "error",
								 "neither a t.me/s/ preview page (tgme_channel_info, tgme_widget_message) "
								 "nor a t.me channel page (tgme_page)");
	FreePage(page);
	return result;
}

/* ---- one post of a preview page ---- */

/*
 * Markup that ends one message of a preview page, as t.me writes it: the
 * next message's wrap, the "more messages" link, the end of the messages'
 * section.  A post's own text cannot hold them: its "<" is written "&lt;".
 */
static const char *const post_ends[] = {
	"<div class=\"tgme_widget_message_wrap",
	"<div class=\"tgme_widget_message_centered",
	"</section"
};

/*
 * The HTML of the message whose data-post is post (compared ASCII
 * case-insensitively): *start at the "<div" of its opening tag, *slen up to
 * the first of post_ends after it.  False when no opening <div ...
 * data-post="post"> is found, or nothing of post_ends follows it.
 */
static bool
PostSlice(const char *body, size_t len, const char *post,
		  const char **start, size_t *slen)
{
	static const char attr[] = "data-post=\"";
	const size_t alen = sizeof(attr) - 1;
	const size_t plen = strlen(post);
	const char *end = body + len;
	const char *p = body;

	while ((p = cos_memmem(p, (size_t) (end - p), attr, alen)) != NULL)
	{
		const char *value = p + alen;
		const char *lt = p;
		const char *stop;

		p = value;
		if ((size_t) (end - value) <= plen || value[plen] != '"' ||
			cos_memmem_ci(value, plen, post, plen) != value)
			continue;
		/* inside a tag: a "<" comes before any ">" going back */
		while (lt > body && lt[-1] != '<' && lt[-1] != '>')
			lt--;
		if (lt == body || lt[-1] != '<')
			continue;
		lt--;
		if (p - lt < 5 || strncasecmp(lt, "<div", 4) != 0 ||
			!IsBlank((unsigned char) lt[4]))
			continue;
		/* the nearest end; later markers only searched up to the one found */
		stop = end;
		for (size_t i = 0; i < sizeof(post_ends) / sizeof(post_ends[0]); i++)
		{
			const char *e = cos_memmem(value, (size_t) (stop - value), post_ends[i],
									   strlen(post_ends[i]));

			if (e != NULL)
				stop = e;
		}
		if (stop == end)
			return false;
		*start = lt;
		*slen = (size_t) (stop - lt);
		return true;
	}
	return false;
}

/*
 * The video of post read from the slice (parsed alone, as WalkPage reads it
 * on the whole page), or NULL when the slice yields none with that id.
 */
static json_t *
SlicePost(const char *slice, size_t slen, const char *post)
{
	TgPage	   *page;
	json_t	   *found = NULL;
	json_t	   *v;
	size_t		i;

	page = ReadPage(slice, slen);
	if (page == NULL)
		return NULL;
	json_array_foreach(page->posts, i, v)
	{
		const char *id = json_string_value(json_object_get(v, "id"));

		if (id != NULL && strcasecmp(id, post) == 0)
		{
			found = json_incref(v);
			break;
		}
	}
	FreePage(page);
	return found;
}

/*
 * cos_extract_telegram_post: see extract_int.h.  url, body, len: as for
 * cos_extract_telegram (a t.me/s/<channel>?before=N preview page); post:
 * the wanted post, "<channel>/<n>" (NUL-terminated; the channel compared
 * ASCII case-insensitively, as data-post may spell it "WalterBloomberg").
 * Reads only the HTML of div.tgme_widget_message[data-post=post] (from its
 * "<div" to the next message's wrap, the "more" link or the section's end)
 * and returns {"status":"ok", "videos":[that post], "channels":[], "next":
 * null}, the post's values identical to the full parse's.  Whenever that
 * does not give the post (no such data-post, markup changed, the post
 * deleted, a damaged body), returns cos_extract_telegram's result for the
 * whole page instead, errors included.  NULL only when out of memory.
 */
json_t *
cos_extract_telegram_post(const char *url, const char *body, size_t len,
						  const char *post)
{
	const char *slice;
	size_t		slen;
	json_t	   *video;
	json_t	   *result;

	if (url == NULL)
		url = "";
	if (body == NULL || len == 0 || len > (size_t) INT_MAX || post == NULL ||
		strchr(post, '/') == NULL || strchr(post, '"') != NULL ||
		!EndsWithHtml(body, len) || memchr(body, '\0', len) != NULL ||
		!PostSlice(body, len, post, &slice, &slen) ||
		(video = SlicePost(slice, slen, post)) == NULL)
		return cos_extract_telegram(url, body, len);
	result = cos_result_new(COS_TELEGRAM);
	if (result == NULL)
	{
		json_decref(video);
		return NULL;
	}
	cos_result_add_video(result, video);
	return result;
}
