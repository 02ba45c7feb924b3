#!/usr/bin/env bash
# fuzz/seeds.sh -- seed corpora and dictionaries for the fuzz targets, made
# from the captured fixtures at run time (nothing here is committed).
#
#   fuzz/seeds.sh OUT TARGET...
#
# For each TARGET: OUT/fixtures/TARGET/ holds the fixtures of its family;
# OUT/seed/TARGET/ the same, the big ones (> 16 KB) cut to the part the
# extractor reads (fuzz/cut.pl); OUT/dict/TARGET.dict is one of
# fuzz/dict/{json,html,url}.dict plus the string literals (keys, markers)
# of the extractor of its platform.
# url_parse is seeded with the URLs quoted in test/unit/test_url.c and
# test/fixtures/SOURCES.md; auth_tokens with the initData strings of
# test/sql/07_api_auth.sql and the JWTs of test/unit/test_jwt.c.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FIX=$ROOT/test/fixtures
[ $# -ge 2 ] || { echo "usage: $0 OUT TARGET..." >&2; exit 2; }
OUT=$1
shift

# String literals of C sources, as libFuzzer dictionary lines: 2..64 bytes
# of printable ASCII, no printf formats, no C escapes libFuzzer does not
# read (it reads \\ \" \xNN).
literals() {
    perl -ne '
        next if /^\s*(\*|\/\*)/;
        while (/"((?:[^"\\]|\\.)*)"/g) {
            my $s = $1;
            next if length($s) < 2 || length($s) > 64 || $s =~ /%|[^\x20-\x7e]/;
            next if $s =~ /\\[^"\\x]/ || ($s =~ tr/ //) > 1;
            print "\"$s\"\n";
        }' "$@" | sort -u
}

# A dictionary: fuzz/dict/BASE.dict and the literals of the sources; with
# "json", each literal also as a quoted JSON key ("\"key\":")
dict_for() {
    local base=$1 json=$2
    shift 2
    cat "$ROOT/fuzz/dict/$base.dict"
    literals "$@"
    if [ "$json" = json ]; then
        literals "$@" | sed 's/^"\(.*\)"$/"\\"\1\\":"/'
    fi
}

# Copy the fixtures of target $t into OUT/fixtures/$t whole, and into dir
# whole when small, else cut (a 300 KB page runs 20 times slower than its
# cut, which alone reaches more code in a minute of fuzzing)
seed_family() {
    local dir=$1 mode=$2 f base
    shift 2
    for f in "$@"; do
        [ -f "$f" ] || continue
        base=$(basename "$f")
        cp "$f" "$OUT/fixtures/$t/$base"
        if [ "$(wc -c <"$f")" -le 16384 ] ||
            ! perl "$ROOT/fuzz/cut.pl" "$mode" <"$f" >"$dir/$base.cut" 2>/dev/null; then
            rm -f "$dir/$base.cut"
            cp "$f" "$dir/$base"
        fi
    done
}

# The URLs quoted in the given files, one seed file each
# initData lines ("\\set name '...'") as 'i' inputs, JWTs (adjacent string
# literals joined) as 'j' inputs, and a claims object as a 'c' input
seed_auth() {
    local dir=$1 n=0 line
    sed -n "s/^\\\\set [a-z]* '\\(.*hash=.*\\)'$/\\1/p" "$ROOT/test/sql/07_api_auth.sql" |
        while IFS= read -r line; do
            printf 'i%s' "$line" >"$dir/initdata-$n"
            n=$((n + 1))
        done
    perl -0ne 'while (/((?:"[A-Za-z0-9_.-]*"\s*)+);/g) { (my $t = $1) =~ s/"\s*"?//g;
                print "$t\n" if $t =~ /^eyJ[^.]*\.[^.]*\.[^.]*$/ }' "$ROOT/test/unit/test_jwt.c" |
        while IFS= read -r line; do
            printf 'j%s' "$line" >"$dir/jwt-$n"
            n=$((n + 1))
        done
    printf 'c{"role":"cos_user","sub":"7","telegram_id":279058397,"name":"x"}' >"$dir/claims"
}

seed_urls() {
    local dir=$1
    shift
    perl -e '
        my ($dir, @files) = @ARGV;
        my ($n, %seen) = (0);
        for my $file (@files) {
            open(my $fh, "<", $file) or die "$file: $!";
            while (<$fh>) {
                my @found;
                push @found, $1 while /"((?:[^"\\]|\\.)*)"/g;
                push @found, $1 while /(https?:\/\/[^\s)`>"]+)/g;
                for my $s (@found) {
                    next unless $s =~ m{[./@]} && length($s) <= 2048;
                    $s =~ s/\\x([0-9a-fA-F]{2})/chr(hex($1))/ge;
                    $s =~ s/\\([nrtfv])/{n=>"\n",r=>"\r",t=>"\t",f=>"\f",v=>"\x0b"}->{$1}/ge;
                    $s =~ s/\\(.)/$1/g;
                    next if $seen{$s}++;
                    open(my $o, ">", sprintf("%s/url-%04d", $dir, $n++)) or die $!;
                    binmode $o;
                    print $o $s;
                    close $o;
                }
            }
        }' "$dir" "$@"
}

mkdir -p "$OUT/seed" "$OUT/dict"
for t in "$@"; do
    dir=$OUT/seed/$t
    rm -rf "$dir" "$OUT/fixtures/$t"
    mkdir -p "$dir" "$OUT/fixtures/$t"
    case $t in
        tiktok_page)
            seed_family "$dir" tiktok "$FIX"/tiktok/*.html
            dict_for html no "$ROOT/extension/extract_tiktok.c" >"$OUT/dict/$t.dict"
            dict_for json json "$ROOT/extension/extract_tiktok.c" |
                grep '^"\\"' >>"$OUT/dict/$t.dict" ;;
        youtube_watch)
            seed_family "$dir" youtube "$FIX"/youtube/*.html
            dict_for html no "$ROOT/extension/extract_youtube.c" >"$OUT/dict/$t.dict"
            dict_for json json "$ROOT/extension/extract_youtube.c" |
                grep '^"\\"' >>"$OUT/dict/$t.dict" ;;
        youtube_api)
            seed_family "$dir" json "$FIX"/youtube/*.json
            dict_for json json "$ROOT/extension/extract_youtube.c" >"$OUT/dict/$t.dict" ;;
        instagram_api | instagram_media)
            seed_family "$dir" json "$FIX"/instagram/*.json
            dict_for json json "$ROOT/extension/extract_instagram.c" >"$OUT/dict/$t.dict" ;;
        likee_api)
            seed_family "$dir" json "$FIX"/likee/*.json
            dict_for json json "$ROOT/extension/extract_likee.c" >"$OUT/dict/$t.dict" ;;
        telegram_html | telegram_post)
            seed_family "$dir" telegram "$FIX"/telegram/*.html
            dict_for html no "$ROOT/extension/extract_telegram.c" >"$OUT/dict/$t.dict" ;;
        url_parse)
            seed_urls "$dir" "$ROOT"/test/unit/test_url.c "$FIX/SOURCES.md"
            dict_for url no "$ROOT"/extension/url*.c >"$OUT/dict/$t.dict" ;;
        thumbnail_url)
            seed_urls "$dir" "$ROOT"/test/unit/test_thumbnail.c "$ROOT"/test/sql/09_thumbnails.sql
            dict_for url no "$ROOT"/extension/thumbnail.c >"$OUT/dict/$t.dict" ;;
        auth_tokens)
            seed_auth "$dir"
            dict_for url no "$ROOT"/extension/initdata.c "$ROOT"/extension/jwt.c >"$OUT/dict/$t.dict" ;;
        *)
            echo "$0: unknown target $t" >&2
            exit 2 ;;
    esac
    echo "seeds: $t: $(find "$dir" -type f | wc -l) files, $(du -sk "$dir" | cut -f1) KB;" \
        "dictionary: $(grep -c '^"' "$OUT/dict/$t.dict") tokens"
done
