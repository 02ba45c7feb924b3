/*
 * test_url.c
 *	  cmocka tests for extension/url.c: every accepted form, every refusal.
 *
 * Each row of the tables below runs as its own test case, named by its URL.
 * Accepted rows are also parsed a second time from their canonical URL, which
 * must give the same target back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "url.h"

/* One URL that must be accepted, and what it must give. */
typedef struct AcceptCase
{
	const char *url;
	CosPlatform platform;
	CosUrlKind	kind;
	bool		pending;
	const char *id;
	const char *handle;
	const char *canonical;
} AcceptCase;

/* One URL that must be refused, and a fragment of the reason. */
typedef struct RefuseCase
{
	const char *url;
	const char *reason;
} RefuseCase;

#define YT_VIDEO(u) {u, COS_YOUTUBE, COS_KIND_VIDEO, false, "GJLlxj_dtq8", "", \
	"https://www.youtube.com/watch?v=GJLlxj_dtq8"}
#define TT_VIDEO(u) {u, COS_TIKTOK, COS_KIND_VIDEO, false, "7526770564367748360", \
	"dangthuhaf", "https://www.tiktok.com/@dangthuhaf/video/7526770564367748360"}
#define TT_EMBED(u) {u, COS_TIKTOK, COS_KIND_VIDEO, false, "7526770564367748360", \
	"", "https://www.tiktok.com/@/video/7526770564367748360"}
#define IG_POST(u, h) {u, COS_INSTAGRAM, COS_KIND_VIDEO, false, "B7eUksNFA-K", h, \
	"https://www.instagram.com/p/B7eUksNFA-K/"}
#define IG_REEL(u, h) {u, COS_INSTAGRAM, COS_KIND_VIDEO, false, "CAG3E8-A3wf", h, \
	"https://www.instagram.com/p/CAG3E8-A3wf/"}
#define LK_VIDEO(u) {u, COS_LIKEE, COS_KIND_VIDEO, false, "6941112750224957471", \
	"sarah.stefano", "https://likee.video/@sarah.stefano/video/6941112750224957471"}
#define TG_CHAN(u) {u, COS_TELEGRAM, COS_KIND_CHANNEL, false, "walterbloomberg", \
	"walterbloomberg", "https://t.me/walterbloomberg"}
#define TG_POST(u) {u, COS_TELEGRAM, COS_KIND_VIDEO, false, "walterbloomberg/22878", \
	"walterbloomberg", "https://t.me/walterbloomberg/22878"}

static const AcceptCase accept_cases[] = {
	/* YouTube: many forms of one video, one id, one canonical URL */
	YT_VIDEO("https://youtu.be/GJLlxj_dtq8?si=abc"),
	YT_VIDEO("https://m.youtube.com/watch?v=GJLlxj_dtq8&feature=share"),
	YT_VIDEO("youtube.com/shorts/GJLlxj_dtq8/"),
	YT_VIDEO("HTTPS://WWW.YOUTUBE.COM/watch?v=GJLlxj_dtq8#t=10"),
	YT_VIDEO("https://www.youtube.com/watch?v=GJLlxj_dtq8"),
	YT_VIDEO("http://youtube.com/watch?v=GJLlxj_dtq8"),
	YT_VIDEO("youtube.com/watch?v=GJLlxj_dtq8"),
	YT_VIDEO("www.youtube.com/watch?v=GJLlxj_dtq8&t=42s"),
	YT_VIDEO("https://www.youtube.com/watch?feature=youtu.be&t=42&v=GJLlxj_dtq8"),
	YT_VIDEO("https://www.youtube.com/watch?v=GJLlxj_dtq8&list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG&index=2"),
	YT_VIDEO("https://www.youtube.com/watch?app=desktop&v=GJLlxj_dtq8&utm_source=x&utm_medium=y"),
	YT_VIDEO("https://music.youtube.com/watch?v=GJLlxj_dtq8&si=xyz"),
	YT_VIDEO("https://www.youtube.com/shorts/GJLlxj_dtq8?feature=share"),
	YT_VIDEO("https://www.youtube.com/live/GJLlxj_dtq8?si=abc"),
	YT_VIDEO("https://www.youtube.com/embed/GJLlxj_dtq8?start=5"),
	YT_VIDEO("https://www.youtube.com/v/GJLlxj_dtq8"),
	YT_VIDEO("https://www.youtube-nocookie.com/embed/GJLlxj_dtq8"),
	YT_VIDEO("youtube-nocookie.com/embed/GJLlxj_dtq8"),
	YT_VIDEO("youtu.be/GJLlxj_dtq8"),
	YT_VIDEO("  https://youtu.be/GJLlxj_dtq8  \n"),
	YT_VIDEO("\t https://youtu.be/GJLlxj_dtq8\r\n"),
	YT_VIDEO("https://www.youtube.com:443/watch?v=GJLlxj_dtq8"),
	YT_VIDEO("http://www.youtube.com:80/watch?v=GJLlxj_dtq8"),
	YT_VIDEO("youtube.com:443/watch?v=GJLlxj_dtq8"),
	YT_VIDEO("//www.youtube.com/watch?v=GJLlxj_dtq8"),
	YT_VIDEO("https://www.youtube.com./watch?v=GJLlxj_dtq8"),
	YT_VIDEO("https://www.youtube.com//watch?v=GJLlxj_dtq8"),
	YT_VIDEO("https://www.youtube.com/watch/?v=GJLlxj_dtq8"),
	YT_VIDEO("https://www.youtube.com/watch?v=%47JLlxj_dtq8"),
	YT_VIDEO("https://youtu.be/GJLlxj_dtq8#ignored?v=zzzzzzzzzzz"),
	YT_VIDEO("https://Youtu.Be/GJLlxj_dtq8"),
	{"https://youtu.be/dQw4w9WgXcQ", COS_YOUTUBE, COS_KIND_VIDEO, false,
	"dQw4w9WgXcQ", "", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"},
	{"https://www.youtube.com/watch?v=-abc_DEF123", COS_YOUTUBE, COS_KIND_VIDEO, false,
	"-abc_DEF123", "", "https://www.youtube.com/watch?v=-abc_DEF123"},

	/* YouTube channels */
	{"https://www.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw", COS_YOUTUBE,
		COS_KIND_CHANNEL, false, "UCuAXFkgsw1L7xaCfnd5JJOw", "",
	"https://www.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw"},
	{"youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw/videos?view=0", COS_YOUTUBE,
		COS_KIND_CHANNEL, false, "UCuAXFkgsw1L7xaCfnd5JJOw", "",
	"https://www.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw"},
	{"https://music.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw", COS_YOUTUBE,
		COS_KIND_CHANNEL, false, "UCuAXFkgsw1L7xaCfnd5JJOw", "",
	"https://www.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw"},
	{"https://www.youtube.com/@MrBeast", COS_YOUTUBE, COS_KIND_CHANNEL, false,
	"@mrbeast", "mrbeast", "https://www.youtube.com/@mrbeast"},
	{"https://www.youtube.com/@MrBeast/videos", COS_YOUTUBE, COS_KIND_CHANNEL, false,
	"@mrbeast", "mrbeast", "https://www.youtube.com/@mrbeast"},
	{"https://www.youtube.com/@mrbeast/shorts?si=q", COS_YOUTUBE, COS_KIND_CHANNEL, false,
	"@mrbeast", "mrbeast", "https://www.youtube.com/@mrbeast"},
	{"https://m.youtube.com/@mrbeast/featured", COS_YOUTUBE, COS_KIND_CHANNEL, false,
	"@mrbeast", "mrbeast", "https://www.youtube.com/@mrbeast"},
	{"https://www.youtube.com/%40MrBeast", COS_YOUTUBE, COS_KIND_CHANNEL, false,
	"@mrbeast", "mrbeast", "https://www.youtube.com/@mrbeast"},
	{"youtube.com/@Veritasium.Official-1_x/", COS_YOUTUBE, COS_KIND_CHANNEL, false,
		"@veritasium.official-1_x", "veritasium.official-1_x",
	"https://www.youtube.com/@veritasium.official-1_x"},
	{"https://www.youtube.com/c/LinusTechTips", COS_YOUTUBE, COS_KIND_CHANNEL, false,
	"c/LinusTechTips", "", "https://www.youtube.com/c/LinusTechTips"},
	{"https://www.youtube.com/c/LinusTechTips/videos", COS_YOUTUBE, COS_KIND_CHANNEL, false,
	"c/LinusTechTips", "", "https://www.youtube.com/c/LinusTechTips"},
	{"https://www.youtube.com/user/PewDiePie", COS_YOUTUBE, COS_KIND_CHANNEL, false,
	"user/PewDiePie", "", "https://www.youtube.com/user/PewDiePie"},
	{"www.youtube.com/user/PewDiePie/featured/", COS_YOUTUBE, COS_KIND_CHANNEL, false,
	"user/PewDiePie", "", "https://www.youtube.com/user/PewDiePie"},

	/* TikTok videos */
	TT_VIDEO("https://www.tiktok.com/@dangthuhaf/video/7526770564367748360?is_from_webapp=1&sender_device=pc"),
	TT_VIDEO("https://www.tiktok.com/@dangthuhaf/video/7526770564367748360"),
	TT_VIDEO("https://m.tiktok.com/@DangThuHaf/video/7526770564367748360/"),
	TT_VIDEO("tiktok.com/@dangthuhaf/video/7526770564367748360?_r=1&_t=ZS-8xyz"),
	TT_VIDEO("https://www.tiktok.com/@dangthuhaf/photo/7526770564367748360"),
	TT_VIDEO("https://www.tiktok.com/%40dangthuhaf/video/7526770564367748360"),
	TT_VIDEO("WWW.TIKTOK.COM/@DANGTHUHAF/VIDEO/7526770564367748360"),
	TT_EMBED("https://www.tiktok.com/embed/v2/7526770564367748360"),
	TT_EMBED("https://www.tiktok.com/embed/7526770564367748360?lang=en"),
	TT_EMBED("https://m.tiktok.com/v/7526770564367748360.html"),
	TT_EMBED("https://www.tiktok.com/@/video/7526770564367748360"),
	{"https://www.tiktok.com/@novix.ht/video/1", COS_TIKTOK, COS_KIND_VIDEO, false,
	"1", "novix.ht", "https://www.tiktok.com/@novix.ht/video/1"},
	{"https://www.tiktok.com/@x_y/video/18446744073709551615", COS_TIKTOK, COS_KIND_VIDEO,
	false, "18446744073709551615", "x_y", "https://www.tiktok.com/@x_y/video/18446744073709551615"},

	/* TikTok profiles and short links */
	{"https://www.tiktok.com/@novix.ht", COS_TIKTOK, COS_KIND_CHANNEL, false,
	"@novix.ht", "novix.ht", "https://www.tiktok.com/@novix.ht"},
	{"tiktok.com/@Novix.HT/?lang=en", COS_TIKTOK, COS_KIND_CHANNEL, false,
	"@novix.ht", "novix.ht", "https://www.tiktok.com/@novix.ht"},
	{"https://vm.tiktok.com/ZMabc123/", COS_TIKTOK, COS_KIND_VIDEO, true,
	"ZMabc123", "", "https://vm.tiktok.com/ZMabc123/"},
	{"vm.tiktok.com/ZMabc123", COS_TIKTOK, COS_KIND_VIDEO, true,
	"ZMabc123", "", "https://vm.tiktok.com/ZMabc123/"},
	{"https://vt.tiktok.com/ZSabc123/?utm_source=x", COS_TIKTOK, COS_KIND_VIDEO, true,
	"ZSabc123", "", "https://vt.tiktok.com/ZSabc123/"},
	{"https://www.tiktok.com/t/ZTRabc123/", COS_TIKTOK, COS_KIND_VIDEO, true,
	"ZTRabc123", "", "https://www.tiktok.com/t/ZTRabc123/"},
	{"https://m.tiktok.com/t/ZTRabc123", COS_TIKTOK, COS_KIND_VIDEO, true,
	"ZTRabc123", "", "https://www.tiktok.com/t/ZTRabc123/"},

	/* Instagram posts and reels */
	IG_POST("https://www.instagram.com/p/B7eUksNFA-K/?igsh=xyz", ""),
	IG_POST("https://www.instagram.com/p/B7eUksNFA-K/", ""),
	IG_POST("instagram.com/p/B7eUksNFA-K", ""),
	IG_POST("https://m.instagram.com/p/B7eUksNFA-K/?utm_source=ig_web_copy_link&igshid=MzRlODBiNWFlZA==", ""),
	IG_POST("https://instagr.am/p/B7eUksNFA-K/", ""),
	IG_POST("https://www.instagram.com/p/B7eUksNFA-K/embed/", ""),
	IG_POST("https://www.instagram.com/robertdowneyjr/p/B7eUksNFA-K/", "robertdowneyjr"),
	IG_POST("https://www.instagram.com/RobertDowneyJr/p/B7eUksNFA-K/?img_index=1", "robertdowneyjr"),
	IG_REEL("https://www.instagram.com/reel/CAG3E8-A3wf/", ""),
	IG_REEL("https://www.instagram.com/reels/CAG3E8-A3wf/", ""),
	IG_REEL("https://www.instagram.com/tv/CAG3E8-A3wf", ""),
	IG_REEL("https://www.instagram.com/reel/CAG3E8-A3wf/?igsh=MWQ1ZGUxMzBkMA%3D%3D", ""),
	IG_REEL("https://www.instagram.com/robertdowneyjr/reel/CAG3E8-A3wf/", "robertdowneyjr"),
	{"https://www.instagram.com/p/b7euksnfa-k/", COS_INSTAGRAM, COS_KIND_VIDEO, false,
	"b7euksnfa-k", "", "https://www.instagram.com/p/b7euksnfa-k/"},

	/* Instagram profiles */
	{"https://www.instagram.com/robertdowneyjr/", COS_INSTAGRAM, COS_KIND_CHANNEL, false,
	"robertdowneyjr", "robertdowneyjr", "https://www.instagram.com/robertdowneyjr/"},
	{"https://www.instagram.com/RobertDowneyJr?igshid=abc", COS_INSTAGRAM, COS_KIND_CHANNEL,
	false, "robertdowneyjr", "robertdowneyjr", "https://www.instagram.com/robertdowneyjr/"},
	{"instagram.com/robertdowneyjr/reels/", COS_INSTAGRAM, COS_KIND_CHANNEL, false,
	"robertdowneyjr", "robertdowneyjr", "https://www.instagram.com/robertdowneyjr/"},
	{"https://www.instagram.com/nat.geo_1/", COS_INSTAGRAM, COS_KIND_CHANNEL, false,
	"nat.geo_1", "nat.geo_1", "https://www.instagram.com/nat.geo_1/"},

	/* Likee */
	LK_VIDEO("https://likee.video/@sarah.stefano/video/6941112750224957471"),
	LK_VIDEO("https://l.likee.video/@Sarah.Stefano/video/6941112750224957471?lang=en"),
	LK_VIDEO("https://www.likee.video/@sarah.stefano/video/6941112750224957471/"),
	LK_VIDEO("likee.com/@sarah.stefano/video/6941112750224957471"),
	LK_VIDEO("https://www.likee.com/@sarah.stefano/video/6941112750224957471"),
	LK_VIDEO("https://like.video/@sarah.stefano/video/6941112750224957471"),
	{"https://likee.video/@Sarah.Stefano", COS_LIKEE, COS_KIND_CHANNEL, false,
	"@sarah.stefano", "sarah.stefano", "https://likee.video/@sarah.stefano"},
	{"https://l.likee.video/v/Ab3xYz", COS_LIKEE, COS_KIND_VIDEO, true,
	"v/Ab3xYz", "", "https://l.likee.video/v/Ab3xYz"},
	{"likee.video/v/Ab3xYz/", COS_LIKEE, COS_KIND_VIDEO, true,
	"v/Ab3xYz", "", "https://l.likee.video/v/Ab3xYz"},

	/* Telegram */
	TG_CHAN("https://t.me/s/walterbloomberg"),
	TG_CHAN("https://t.me/WalterBloomberg"),
	TG_CHAN("t.me/walterbloomberg/"),
	TG_CHAN("https://telegram.me/walterbloomberg"),
	TG_CHAN("https://telegram.dog/s/WalterBloomberg?before=100"),
	TG_CHAN("@WalterBloomberg"),
	TG_CHAN(" @walterbloomberg\n"),
	TG_POST("https://t.me/WalterBloomberg/22878"),
	TG_POST("https://t.me/s/walterbloomberg/22878?single"),
	TG_POST("t.me/walterbloomberg/22878/"),
	TG_POST("https://telegram.me/walterbloomberg/22878#comments"),
	{"@durov", COS_TELEGRAM, COS_KIND_CHANNEL, false, "durov", "durov",
	"https://t.me/durov"},
	{"https://t.me/durov", COS_TELEGRAM, COS_KIND_CHANNEL, false, "durov", "durov",
	"https://t.me/durov"},
	{"https://t.me/a_b_c_d_e_f_g_h_i_j_k_l_m_n_o_p_", COS_TELEGRAM, COS_KIND_CHANNEL,
		false, "a_b_c_d_e_f_g_h_i_j_k_l_m_n_o_p_", "a_b_c_d_e_f_g_h_i_j_k_l_m_n_o_p_",
	"https://t.me/a_b_c_d_e_f_g_h_i_j_k_l_m_n_o_p_"},
};

static const RefuseCase refuse_cases[] = {
	/* empty and malformed */
	{"", "url is empty"},
	{"   \t\n", "url is empty"},
	{"https:/www.youtube.com/watch?v=GJLlxj_dtq8", "malformed url"},
	{"https:www.youtube.com/watch?v=GJLlxj_dtq8", "malformed url"},
	{"https://", "url has no host"},
	{"https:///watch?v=GJLlxj_dtq8", "url has no host"},
	{"?v=GJLlxj_dtq8", "url has no host"},

	/* schemes */
	{"file:///etc/passwd", "only http and https urls are accepted"},
	{"javascript:alert(1)", "only http and https urls are accepted"},
	{"JavaScript:alert(document.cookie)//youtube.com/watch?v=GJLlxj_dtq8",
	"only http and https urls are accepted"},
	{"ftp://youtube.com/watch?v=GJLlxj_dtq8", "only http and https urls are accepted"},
	{"data:text/html,<script>alert(1)</script>", "only http and https urls are accepted"},
	{"gopher://t.me/durov", "only http and https urls are accepted"},
	{"localhost:8080/watch", "only the default port is accepted"},
	{"localhost:/watch", "only http and https urls are accepted"},

	/* userinfo, IP literals, ports, hosts */
	{"https://www.tiktok.com@127.0.0.2/", "user information"},
	{"https://www.tiktok.com@127.0.0.2/@x/video/1", "user information"},
	{"www.tiktok.com@127.0.0.2/", "user information"},
	{"https://user:pass@www.youtube.com/watch?v=GJLlxj_dtq8", "user information"},
	{"https://@www.youtube.com/watch?v=GJLlxj_dtq8", "user information"},
	{"http://169.254.169.254/", "ip address hosts are not accepted"},
	{"http://169.254.169.254/latest/meta-data/", "ip address hosts are not accepted"},
	{"http://127.0.0.1/watch?v=GJLlxj_dtq8", "ip address hosts are not accepted"},
	{"127.0.0.1:80/t/ZMabc123", "ip address hosts are not accepted"},
	{"http://2130706433/", "ip address hosts are not accepted"},
	{"http://[::1]/", "ip address hosts are not accepted"},
	{"http://[fe80::1]:443/watch?v=GJLlxj_dtq8", "ip address hosts are not accepted"},
	{"http://0x7f000001/", "is not a tiktok, youtube, instagram, likee or telegram host"},
	{"https://www.youtube.com:8443/watch?v=GJLlxj_dtq8", "only the default port"},
	{"http://www.youtube.com:443/watch?v=GJLlxj_dtq8", "only the default port"},
	{"https://www.youtube.com:80/watch?v=GJLlxj_dtq8", "only the default port"},
	{"www.youtube.com:8080/watch?v=GJLlxj_dtq8", "only the default port"},
	{"https://www.youtube.com:/watch?v=GJLlxj_dtq8", "invalid port"},
	{"https://www.youtube.com:443443/watch?v=GJLlxj_dtq8", "invalid port"},
	{"https://www.youtube.com:44a/watch?v=GJLlxj_dtq8", "invalid port"},
	{"https://evil.com/watch?v=GJLlxj_dtq8", "host \"evil.com\" is not a tiktok"},
	{"https://youtube.com.evil.com/watch?v=GJLlxj_dtq8", "is not a tiktok"},
	{"https://evilyoutube.com/watch?v=GJLlxj_dtq8", "is not a tiktok"},
	{"https://studio.youtube.com/video/GJLlxj_dtq8", "is not a tiktok"},
	{"https://www.googleapis.com/youtube/v3/videos?id=GJLlxj_dtq8", "is not a tiktok"},
	{"https://api.telegram.org/bot1:x/getMe", "is not a tiktok"},
	{"https://www.you_tube.com/", "url host contains an invalid character"},
	{"https://%77ww.youtube.com/watch?v=GJLlxj_dtq8", "url host contains an invalid character"},
	{"https://www..youtube.com/watch?v=GJLlxj_dtq8", "url host has an empty label"},
	{"https://.youtube.com/watch?v=GJLlxj_dtq8", "url host has an empty label"},
	{"https://www.you\xd1\x82ube.com/watch?v=GJLlxj_dtq8", "url host contains an invalid character"},

	/* bytes */
	{"https://youtu.be/GJLlxj_dtq8\x01", "control characters"},
	{"https://youtu.be/GJLl\x7fxj_dtq8", "control characters"},
	{"https://youtu.be/GJLlxj_dtq8\n@evil", "control characters"},
	{"https://you\ttube.com/watch?v=GJLlxj_dtq8", "control characters"},
	{"https://youtu.be/GJLlxj dtq8", "url contains spaces"},
	{"https:\\\\www.youtube.com\\watch?v=GJLlxj_dtq8", "backslash"},
	{"https://www.youtube.com\\@evil.com/", "backslash"},
	{"https://www.tiktok.com/@user%2Fvideo/1", "percent-encoded character %2F is not accepted"},
	{"https://www.tiktok.com/@user%00/video/1", "percent-encoded character %00 is not accepted"},
	{"https://www.youtube.com/watch?v=GJLlxj_dtq8%00", "percent-encoded character %00 is not accepted in url query"},
	{"https://www.youtube.com/watch?v=GJLlxj_dtq8%26v%3Dx", "percent-encoded character %26"},
	{"https://www.youtube.com/%2e%2e/watch?v=GJLlxj_dtq8", "dot segment"},
	{"https://www.youtube.com/watch/../shorts/GJLlxj_dtq8", "dot segment"},
	{"https://www.youtube.com/./watch?v=GJLlxj_dtq8", "dot segment"},
	{"https://t.me/%zzdurov", "malformed percent-encoding"},
	{"https://t.me/durov%4", "malformed percent-encoding"},
	{"https://t.me/durov%", "malformed percent-encoding"},
	{"https://www.youtube.com/@%D0%A2%D0%9D%D0%A2", "percent-encoded character %D0"},
	{"https://www.youtube.com/@\xd0\xa2\xd0\x9d\xd0\xa2", "non-ascii"},
	{"https://www.youtube.com/<script>", "invalid character '<'"},
	{"https://t.me/durov\"", "invalid character '\"'"},
	{"https://t.me/a/b/c/d/e/f/g/h/i", "too many segments"},

	/* YouTube */
	{"https://www.youtube.com/watch?v=GJLlxj_dtq", "invalid youtube video id"},
	{"https://www.youtube.com/watch?v=GJLlxj_dtq8X", "invalid youtube video id"},
	{"https://www.youtube.com/watch?v=GJLlxj+dtq8", "invalid youtube video id"},
	{"https://www.youtube.com/watch?v=", "invalid youtube video id"},
	{"https://www.youtube.com/watch?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG", "no v= parameter"},
	{"https://www.youtube.com/watch", "no v= parameter"},
	{"https://www.youtube.com/watch?vv=GJLlxj_dtq8", "no v= parameter"},
	{"https://www.youtube.com/watch?v=GJLlxj_dtq8&v=dQw4w9WgXcQ", "more than one v= parameter"},
	{"https://www.youtube.com/playlist?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG", "playlists are not tracked"},
	{"https://www.youtube.com/embed/videoseries?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG", "playlist and live-stream embeds"},
	{"https://www.youtube.com/embed/live_stream?channel=UCuAXFkgsw1L7xaCfnd5JJOw", "playlist and live-stream embeds"},
	{"https://www.youtube.com/", "youtube url names no video or channel"},
	{"youtube.com", "youtube url names no video or channel"},
	{"https://www.youtube.com/results?search_query=cats", "not a youtube video or channel url"},
	{"https://www.youtube.com/shorts/", "not a youtube video or channel url"},
	{"https://www.youtube.com/shorts/GJLlxj_dtq8/extra", "not a youtube video or channel url"},
	{"https://www.youtube.com/MrBeast", "not a youtube video or channel url"},
	{"https://youtu.be/", "youtu.be url must be"},
	{"https://youtu.be/GJLlxj_dtq8/extra", "youtu.be url must be"},
	{"https://youtu.be/watch?v=GJLlxj_dtq8", "invalid youtube video id"},
	{"https://www.youtube-nocookie.com/watch?v=GJLlxj_dtq8", "youtube-nocookie.com url must be"},
	{"https://www.youtube.com/channel/UCshort", "invalid youtube channel id"},
	{"https://www.youtube.com/channel/XXuAXFkgsw1L7xaCfnd5JJOw", "invalid youtube channel id"},
	{"https://www.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOwX", "invalid youtube channel id"},
	{"https://www.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw/bogus", "not a youtube video or channel url"},
	{"https://www.youtube.com/@a", "invalid youtube handle"},
	{"https://www.youtube.com/@", "invalid youtube handle"},
	{"https://www.youtube.com/@abcdefghijklmnopqrstuvwxyz12345", "invalid youtube handle"},
	{"https://www.youtube.com/@MrBeast/nonsense", "not a youtube video or channel url"},
	{"https://www.youtube.com/@MrBeast/videos/extra", "not a youtube video or channel url"},
	{"https://www.youtube.com/c/Linus!Tech", "invalid youtube channel name"},

	/* TikTok */
	{"https://www.tiktok.com/@user/video/abc", "invalid tiktok video id"},
	{"https://www.tiktok.com/@user/video/123456789012345678901", "invalid tiktok video id"},
	{"https://www.tiktok.com/@user/video/0123", "invalid tiktok video id"},
	{"https://www.tiktok.com/@user/video/", "not a tiktok video or profile url"},
	{"https://www.tiktok.com/@user/live", "not a tiktok video or profile url"},
	{"https://www.tiktok.com/@u*ser/video/1", "invalid tiktok username"},
	{"https://www.tiktok.com/@", "invalid tiktok username"},
	{"https://www.tiktok.com/@abcdefghijklmnopqrstuvwxy", "invalid tiktok username"},
	{"https://www.tiktok.com/", "tiktok url names no video or profile"},
	{"https://www.tiktok.com/foryou", "not a tiktok video or profile url"},
	{"https://www.tiktok.com/embed/v2/abc", "invalid tiktok video id"},
	{"https://m.tiktok.com/v/abc.html", "invalid tiktok video id"},
	{"https://www.tiktok.com/t/ZT-abc/", "invalid tiktok short link code"},
	{"https://vm.tiktok.com/", "tiktok short link must be vm.tiktok.com/<code>"},
	{"https://vm.tiktok.com/ZMabc123/extra", "tiktok short link must be"},
	{"https://vt.tiktok.com/ZM-abc", "tiktok short link must be vt.tiktok.com/<code>"},
	{"https://vm.tiktok.com/@user/video/1", "tiktok short link must be"},

	/* Instagram */
	{"https://www.instagram.com/reels/audio/123456789/", "instagram audio pages are not tracked"},
	{"https://www.instagram.com/explore/tags/cats/", "instagram explore pages are not tracked"},
	{"https://www.instagram.com/stories/robertdowneyjr/3123456789/", "instagram stories are not tracked"},
	{"https://www.instagram.com/accounts/login/?next=/p/B7eUksNFA-K/", "instagram account pages are not tracked"},
	{"https://www.instagram.com/direct/inbox/", "instagram /direct/ pages are not tracked"},
	{"https://www.instagram.com/", "instagram url names no profile, post or reel"},
	{"https://www.instagram.com/p/", "instagram /p/ url must name a post"},
	{"https://www.instagram.com/reels/", "instagram /reels/ url must name a post"},
	{"https://www.instagram.com/p/B7eUksNFA-K/liked_by/", "not an instagram profile, post or reel url"},
	{"https://www.instagram.com/p/B7e+UksNFA/", "invalid instagram shortcode"},
	{"https://www.instagram.com/robertdowneyjr/following/", "not an instagram profile, post or reel url"},
	{"https://www.instagram.com/robertdowneyjr/p/", "not an instagram profile, post or reel url"},
	{"https://www.instagram.com/abcdefghijklmnopqrstuvwxyz12345/", "invalid instagram username"},
	{"https://www.instagram.com/robert..downey/", "invalid instagram username"},
	{"https://www.instagram.com/.robert/", "invalid instagram username"},
	{"https://www.instagram.com/robert-downey/", "invalid instagram username"},

	/* Likee */
	{"https://likee.video/", "likee url names no video or profile"},
	{"https://likee.video/@sarah.stefano/video/abc", "invalid likee video id"},
	{"https://likee.video/@sarah.stefano/video", "not a likee video or profile url"},
	{"https://likee.video/trending", "not a likee video or profile url"},
	{"https://likee.video/@", "invalid likee id"},
	{"https://l.likee.video/v/Ab-3x", "invalid likee short link code"},

	/* Telegram */
	{"https://t.me/c/1234567890/55",
	"private channel links (t.me/c/\xe2\x80\xa6) cannot be tracked; use the public @username"},
	{"https://t.me/s/c/1234567890", "invalid telegram username"},
	{"https://t.me/joinchat/AAAAAEHbEkejzxUjAUCzYQ", "telegram invite links cannot be tracked"},
	{"https://t.me/+AbCdEfGhIjKl", "telegram invite links cannot be tracked"},
	{"https://t.me/abc", "invalid telegram username"},
	{"https://t.me/1durov", "invalid telegram username"},
	{"https://t.me/_durov", "invalid telegram username"},
	{"https://t.me/du.rov", "invalid telegram username"},
	{"https://t.me/abcdefghijklmnopqrstuvwxyz1234567", "invalid telegram username"},
	{"https://t.me/durov/abc", "invalid telegram message number"},
	{"https://t.me/durov/0", "invalid telegram message number"},
	{"https://t.me/durov/12345678901", "invalid telegram message number"},
	{"https://t.me/durov/1/2", "not a telegram channel or post url"},
	{"https://t.me/s", "not a telegram channel or post url"},
	{"https://t.me/addstickers/Animals", "t.me/addstickers links are not channels"},
	{"https://t.me/share/url?url=x", "t.me/share links are not channels"},
	/* found by the url_parse fuzzer: bare @names of service paths were
	 * accepted while their canonical t.me/<name> was refused */
	{"@joinchat", "t.me/joinchat links are not channels"},
	{"@share", "t.me/share links are not channels"},
	{"https://t.me/", "telegram url names no channel"},
	{"@ab", "a bare @name is read as a telegram username"},
	{"@durov/123", "a bare @name is read as a telegram username"},
	{"@novix.ht", "a bare @name is read as a telegram username"},
	{"@", "invalid telegram username"},
};

/* A test name from a URL: printable ASCII only, at most 90 bytes. */
static char *
CaseName(const char *prefix, const char *url)
{
	char	   *name = malloc(strlen(prefix) + 100);
	size_t		n = strlen(prefix);
	size_t		i;

	assert_non_null(name);
	memcpy(name, prefix, n);
	for (i = 0; url[i] && i < 90; i++)
		name[n++] = (url[i] >= 0x20 && url[i] < 0x7f) ? url[i] : '?';
	name[n] = '\0';
	return name;
}

/* The same target: platform, kind, pending, id and canonical URL. */
static void
AssertSameTarget(const CosUrl *a, const CosUrl *b)
{
	assert_int_equal(a->platform, b->platform);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->pending, b->pending);
	assert_string_equal(a->id, b->id);
	assert_string_equal(a->canonical, b->canonical);
}

/* An accepted row gives exactly its target, and its canonical URL gives it back. */
static void
test_accept(void **state)
{
	const AcceptCase *c = *state;
	CosUrl		u;
	CosUrl		again;
	char		err[256] = "stale";

	if (!cos_url_parse(c->url, &u, err, sizeof(err)))
		fail_msg("refused \"%s\": %s", c->url, err);
	assert_string_equal(err, "");
	assert_int_equal(u.platform, c->platform);
	assert_int_equal(u.kind, c->kind);
	assert_int_equal(u.pending, c->pending);
	assert_string_equal(u.id, c->id);
	assert_string_equal(u.handle, c->handle);
	assert_string_equal(u.canonical, c->canonical);

	if (!cos_url_parse(u.canonical, &again, err, sizeof(err)))
		fail_msg("canonical \"%s\" refused: %s", u.canonical, err);
	AssertSameTarget(&u, &again);
}

/* A refused row gives false, a lower-case reason without a period, and a zeroed result. */
static void
test_refuse(void **state)
{
	const RefuseCase *c = *state;
	CosUrl		u;
	CosUrl		zero;
	char		err[256];
	size_t		n;

	memset(&u, 'X', sizeof(u));
	memset(&zero, 0, sizeof(zero));
	if (cos_url_parse(c->url, &u, err, sizeof(err)))
		fail_msg("accepted \"%s\" as %s", c->url, u.canonical);
	if (strstr(err, c->reason) == NULL)
		fail_msg("reason for \"%s\" is \"%s\", expected it to contain \"%s\"",
				 c->url, err, c->reason);
	n = strlen(err);
	assert_true(n > 0);
	assert_false(err[0] >= 'A' && err[0] <= 'Z');
	assert_true(err[n - 1] != '.');
	assert_memory_equal(&u, &zero, sizeof(u));
}

/* Several forms of one video or channel give one id and one canonical URL. */
static void
test_same_target(void **state)
{
	static const char *const groups[][6] = {
		{"https://youtu.be/GJLlxj_dtq8?si=abc",
			"https://m.youtube.com/watch?v=GJLlxj_dtq8&feature=share",
			"youtube.com/shorts/GJLlxj_dtq8/",
		"HTTPS://WWW.YOUTUBE.COM/watch?v=GJLlxj_dtq8#t=10", NULL},
		{"https://www.tiktok.com/@dangthuhaf/video/7526770564367748360?is_from_webapp=1&sender_device=pc",
			"m.tiktok.com/@DangThuHaf/video/7526770564367748360",
		"https://www.tiktok.com/@dangthuhaf/photo/7526770564367748360", NULL},
		{"https://www.instagram.com/reel/CAG3E8-A3wf/",
			"https://www.instagram.com/reels/CAG3E8-A3wf/?igsh=xyz",
		"https://instagr.am/tv/CAG3E8-A3wf", NULL},
		{"https://t.me/s/walterbloomberg", "@WalterBloomberg",
		"telegram.dog/walterbloomberg/", NULL},
		{"https://t.me/WalterBloomberg/22878", "t.me/s/walterbloomberg/22878", NULL},
		{"https://likee.video/@sarah.stefano/video/6941112750224957471",
		"https://l.likee.video/@Sarah.Stefano/video/6941112750224957471", NULL},
	};
	size_t		g;

	(void) state;
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
	{
		CosUrl		first;
		char		err[256];
		int			i;

		assert_true(cos_url_parse(groups[g][0], &first, err, sizeof(err)));
		for (i = 1; groups[g][i] != NULL; i++)
		{
			CosUrl		other;

			if (!cos_url_parse(groups[g][i], &other, err, sizeof(err)))
				fail_msg("refused \"%s\": %s", groups[g][i], err);
			AssertSameTarget(&first, &other);
		}
	}
}

/* Inputs of exactly 2048 bytes pass; 2049 bytes are refused as too long. */
static void
test_length_limit(void **state)
{
	static const char head[] = "https://www.youtube.com/watch?v=GJLlxj_dtq8&pad=";
	char	   *buf = malloc(2050);
	CosUrl		u;
	char		err[256];

	(void) state;
	assert_non_null(buf);
	memcpy(buf, head, sizeof(head) - 1);
	memset(buf + sizeof(head) - 1, 'a', 2048 - (sizeof(head) - 1));
	buf[2048] = '\0';
	assert_true(cos_url_parse(buf, &u, err, sizeof(err)));
	assert_string_equal(u.id, "GJLlxj_dtq8");

	buf[2048] = 'a';
	buf[2049] = '\0';
	assert_false(cos_url_parse(buf, &u, err, sizeof(err)));
	assert_string_equal(err, "url is too long (more than 2048 bytes)");

	/* leading whitespace counts too: the limit is on what was given */
	memset(buf, ' ', 2049);
	memcpy(buf + 2049 - 12, "@walterbloom", 12);
	assert_false(cos_url_parse(buf, &u, err, sizeof(err)));
	assert_string_equal(err, "url is too long (more than 2048 bytes)");
	free(buf);
}

/* A long path segment or id is refused, not truncated. */
static void
test_long_segment(void **state)
{
	char		buf[1200];
	CosUrl		u;
	char		err[256];

	(void) state;
	strcpy(buf, "https://www.youtube.com/c/");
	memset(buf + strlen(buf), 'a', 300);
	buf[26 + 300] = '\0';
	assert_false(cos_url_parse(buf, &u, err, sizeof(err)));
	assert_string_equal(err, "url path segment is too long");

	strcpy(buf, "https://www.youtube.com/c/");
	memset(buf + strlen(buf), 'a', 101);
	buf[26 + 101] = '\0';
	assert_false(cos_url_parse(buf, &u, err, sizeof(err)));
	assert_non_null(strstr(err, "invalid youtube channel name"));
}

/* err may be NULL or short; it is always NUL-terminated; a success clears it. */
static void
test_error_buffer(void **state)
{
	CosUrl		u;
	char		err[8];
	char		one[1] = {'x'};

	(void) state;
	assert_false(cos_url_parse("file:///etc/passwd", &u, NULL, 0));
	assert_false(cos_url_parse("file:///etc/passwd", &u, err, sizeof(err)));
	assert_string_equal(err, "only ht");
	assert_false(cos_url_parse("file:///etc/passwd", &u, one, sizeof(one)));
	assert_int_equal(one[0], '\0');
	assert_true(cos_url_parse("@durov", &u, NULL, 0));
	strcpy(err, "junk");
	assert_true(cos_url_parse("@durov", &u, err, sizeof(err)));
	assert_string_equal(err, "");
	assert_false(cos_url_parse(NULL, &u, err, sizeof(err)));
	assert_false(cos_url_parse("@durov", NULL, err, sizeof(err)));
}

/* The exact Telegram private-link reason (shown to users as is). */
static void
test_telegram_private_reason(void **state)
{
	CosUrl		u;
	char		err[256];

	(void) state;
	assert_false(cos_url_parse("https://t.me/c/1234567890/55", &u, err, sizeof(err)));
	assert_string_equal(err,
						"private channel links (t.me/c/\xe2\x80\xa6) cannot be tracked; use the public @username");
}

/* cos_platform_name and cos_platform_from_name are inverse; unknowns give NONE/NULL. */
static void
test_platform_names(void **state)
{
	static const char *const names[] = {"tiktok", "youtube", "instagram", "likee", "telegram"};
	int			i;

	(void) state;
	for (i = COS_TIKTOK; i <= COS_TELEGRAM; i++)
	{
		assert_string_equal(cos_platform_name((CosPlatform) i), names[i - 1]);
		assert_int_equal(cos_platform_from_name(names[i - 1]), i);
	}
	assert_int_equal(COS_TIKTOK, 1);
	assert_null(cos_platform_name(COS_PLATFORM_NONE));
	assert_null(cos_platform_name((CosPlatform) 99));
	assert_null(cos_platform_name((CosPlatform) -1));
	assert_int_equal(cos_platform_from_name("YouTube"), COS_YOUTUBE);
	assert_int_equal(cos_platform_from_name("vk"), COS_PLATFORM_NONE);
	assert_int_equal(cos_platform_from_name(""), COS_PLATFORM_NONE);
	assert_int_equal(cos_platform_from_name("tiktok "), COS_PLATFORM_NONE);
	assert_int_equal(cos_platform_from_name(NULL), COS_PLATFORM_NONE);
}

/* cos_platform_from_host knows exactly the public hosts. */
static void
test_platform_hosts(void **state)
{
	static const struct
	{
		const char *host;
		CosPlatform platform;
	}			hosts[] = {
		{"tiktok.com", COS_TIKTOK}, {"www.tiktok.com", COS_TIKTOK},
		{"m.tiktok.com", COS_TIKTOK}, {"vm.tiktok.com", COS_TIKTOK},
		{"vt.tiktok.com", COS_TIKTOK}, {"WWW.TIKTOK.COM", COS_TIKTOK},
		{"youtube.com", COS_YOUTUBE}, {"www.youtube.com", COS_YOUTUBE},
		{"m.youtube.com", COS_YOUTUBE}, {"music.youtube.com", COS_YOUTUBE},
		{"youtu.be", COS_YOUTUBE}, {"youtube-nocookie.com", COS_YOUTUBE},
		{"www.youtube-nocookie.com", COS_YOUTUBE},
		{"instagram.com", COS_INSTAGRAM}, {"www.instagram.com", COS_INSTAGRAM},
		{"m.instagram.com", COS_INSTAGRAM}, {"instagr.am", COS_INSTAGRAM},
		{"likee.video", COS_LIKEE}, {"www.likee.video", COS_LIKEE},
		{"l.likee.video", COS_LIKEE}, {"likee.com", COS_LIKEE},
		{"like.video", COS_LIKEE}, {"www.like.video", COS_LIKEE},
		{"t.me", COS_TELEGRAM}, {"telegram.me", COS_TELEGRAM},
		{"telegram.dog", COS_TELEGRAM},
		{"googleapis.com", COS_PLATFORM_NONE},
		{"www.googleapis.com", COS_PLATFORM_NONE},
		{"youtube.googleapis.com", COS_PLATFORM_NONE},
		{"api.telegram.org", COS_PLATFORM_NONE},
		{"studio.youtube.com", COS_PLATFORM_NONE},
		{"youtube.com.evil.com", COS_PLATFORM_NONE},
		{"evilyoutube.com", COS_PLATFORM_NONE},
		{"tiktok.com.", COS_PLATFORM_NONE},
		{"www.tiktok.com:443", COS_PLATFORM_NONE},
		{"127.0.0.1", COS_PLATFORM_NONE},
		{"", COS_PLATFORM_NONE},
	};
	size_t		i;

	(void) state;
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (cos_platform_from_host(hosts[i].host) != hosts[i].platform)
			fail_msg("host \"%s\": got %d, expected %d", hosts[i].host,
					 (int) cos_platform_from_host(hosts[i].host),
					 (int) hosts[i].platform);
	assert_int_equal(cos_platform_from_host(NULL), COS_PLATFORM_NONE);
}

/* The hint is one sentence naming every platform. */
static void
test_accepted_forms(void **state)
{
	const char *s = cos_url_accepted_forms();
	size_t		n;

	(void) state;
	assert_non_null(s);
	n = strlen(s);
	assert_true(n > 40);
	assert_true(s[0] >= 'A' && s[0] <= 'Z');
	assert_int_equal(s[n - 1], '.');
	assert_null(strchr(s, '\n'));
	assert_non_null(strstr(s, "TikTok"));
	assert_non_null(strstr(s, "YouTube"));
	assert_non_null(strstr(s, "Instagram"));
	assert_non_null(strstr(s, "Likee"));
	assert_non_null(strstr(s, "Telegram"));
}

/* Deterministic pseudo-random numbers for test_mutations (LCG). */
static uint32_t
NextRandom(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

/*
 * Random byte edits of every table URL: no crash, and either a reason or a
 * result whose canonical URL parses back to the same target.
 */
static void
test_mutations(void **state)
{
	static const char alphabet[] = "/?#@:%.&=+-_~!$'()*,;[]\\ \t\x01\x7f\x80\xff" "0aZ";
	uint32_t	seed = 20240601;
	size_t		nacc = sizeof(accept_cases) / sizeof(accept_cases[0]);
	size_t		nref = sizeof(refuse_cases) / sizeof(refuse_cases[0]);
	int			round;

	(void) state;
	for (round = 0; round < 20000; round++)
	{
		uint32_t	pick = NextRandom(&seed) % (uint32_t) (nacc + nref);
		const char *src = pick < nacc ? accept_cases[pick].url : refuse_cases[pick - nacc].url;
		char		buf[256];
		size_t		len = strlen(src);
		int			edits = 1 + (int) (NextRandom(&seed) % 3);
		CosUrl		u;
		CosUrl		again;
		char		err[256];

		if (len >= sizeof(buf) - 4)
			continue;
		memcpy(buf, src, len + 1);
		while (edits-- > 0 && len > 0)
		{
			size_t		at = NextRandom(&seed) % len;
			char		c = alphabet[NextRandom(&seed) % (sizeof(alphabet) - 1)];

			switch (NextRandom(&seed) % 3)
			{
				case 0:			/* replace */
					buf[at] = c;
					break;
				case 1:			/* delete */
					memmove(buf + at, buf + at + 1, len - at);
					len--;
					break;
				default:		/* insert */
					memmove(buf + at + 1, buf + at, len - at + 1);
					buf[at] = c;
					len++;
					break;
			}
		}
		if (cos_url_parse(buf, &u, err, sizeof(err)))
		{
			if (!cos_url_parse(u.canonical, &again, err, sizeof(err)))
				fail_msg("\"%s\" gave canonical \"%s\", which is refused: %s",
						 buf, u.canonical, err);
			AssertSameTarget(&u, &again);
			assert_true(strncmp(u.canonical, "https://", 8) == 0);
		}
		else
			assert_true(err[0] != '\0');
	}
}

/* Every table row becomes a test case of its own. */
int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_same_target),
		cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_long_segment),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_telegram_private_reason),
		cmocka_unit_test(test_platform_names),
		cmocka_unit_test(test_platform_hosts),
		cmocka_unit_test(test_accepted_forms),
		cmocka_unit_test(test_mutations),
	};
	size_t		nacc = sizeof(accept_cases) / sizeof(accept_cases[0]);
	size_t		nref = sizeof(refuse_cases) / sizeof(refuse_cases[0]);
	size_t		nfix = sizeof(fixed) / sizeof(fixed[0]);
	size_t		total = nacc + nref + nfix;
	struct CMUnitTest *tests = calloc(total, sizeof(*tests));
	size_t		i;
	size_t		k = 0;
	int			rc;

	if (tests == NULL)
		return 1;
	for (i = 0; i < nacc; i++, k++)
	{
		tests[k].name = CaseName("accept ", accept_cases[i].url);
		tests[k].test_func = test_accept;
		tests[k].initial_state = (void *) &accept_cases[i];
	}
	for (i = 0; i < nref; i++, k++)
	{
		tests[k].name = CaseName("refuse ", refuse_cases[i].url);
		tests[k].test_func = test_refuse;
		tests[k].initial_state = (void *) &refuse_cases[i];
	}
	for (i = 0; i < nfix; i++, k++)
		tests[k] = fixed[i];

	rc = _cmocka_run_group_tests("url", tests, total, NULL, NULL);

	for (i = 0; i < nacc + nref; i++)
		free((void *) tests[i].name);
	free(tests);
	return rc;
}
