#!/usr/bin/env perl
# fuzz/cut.pl -- cut a captured fixture down to the part an extractor reads,
# so the fuzzer mutates a small seed instead of a 300 KB page.
#
#   fuzz/cut.pl json     < body.json  > seed   JSON: every array cut to 2 items
#   fuzz/cut.pl tiktok   < page.html  > seed   the rehydration script alone, its
#                                              __DEFAULT_SCOPE__ cut to the
#                                              *detail / seo keys, arrays to 2
#   fuzz/cut.pl youtube  < watch.html > seed   the two ytInitial* assignments
#                                              alone, arrays cut to 2
#   fuzz/cut.pl telegram < page.html  > seed   the page with all posts but the
#                                              first two and the last removed
#
# Prints nothing (exit 1) when the input has no such part.  Output is
# deterministic (sorted keys), so seeds are the same from run to run.
use strict;
use warnings;
use JSON::PP;

my $json = JSON::PP->new->utf8->canonical->allow_nonref;

# Cut every array in a decoded JSON value to its first two elements
sub cut_arrays
{
	my ($v) = @_;
	if (ref $v eq 'ARRAY')
	{
		splice(@$v, 2) if @$v > 2;
		cut_arrays($_) for @$v;
	}
	elsif (ref $v eq 'HASH')
	{
		cut_arrays($_) for values %$v;
	}
	return $v;
}

# JSON text cut as cut_arrays, or undef when it does not parse
sub cut_json
{
	my ($text) = @_;
	my $v = eval { $json->decode($text) };
	return defined $v ? $json->encode(cut_arrays($v)) : undef;
}

my $mode = shift // '';
local $/;
binmode STDIN;
binmode STDOUT;
my $in = <STDIN> // '';
my $out;

if ($mode eq 'json')
{
	$out = cut_json($in);
}
elsif ($mode eq 'tiktok')
{
	if ($in =~ /(<script[^>]*id="__UNIVERSAL_DATA_FOR_REHYDRATION__"[^>]*>)(.*?)<\/script>/s)
	{
		my ($tag, $text) = ($1, $2);
		my $v = eval { $json->decode($text) };
		if (ref $v eq 'HASH' && ref $v->{__DEFAULT_SCOPE__} eq 'HASH')
		{
			my $scope = $v->{__DEFAULT_SCOPE__};
			delete $scope->{$_} for grep { !/detail|seo/ } keys %$scope;
			$out = "<!DOCTYPE html><html><head>$tag" .
				$json->encode(cut_arrays($v)) . "</script></head><body></body></html>\n";
		}
	}
}
elsif ($mode eq 'youtube')
{
	my @parts;
	for my $name (qw(ytInitialPlayerResponse ytInitialData))
	{
		next unless $in =~ /var \Q$name\E = (\{.*?\});(?:var |<\/script>)/s;
		my $cut = cut_json($1);
		push @parts, "<script nonce=\"x\">var $name = $cut;</script>" if defined $cut;
	}
	$out = "<!DOCTYPE html><html><head></head><body>" . join('', @parts) .
		"</body></html>\n" if @parts;
}
elsif ($mode eq 'telegram')
{
	my $marker = '<div class="tgme_widget_message_wrap';
	my @at;
	my $pos = -1;
	push @at, $pos while ($pos = index($in, $marker, $pos + 1)) >= 0;
	$out = substr($in, 0, $at[2]) . substr($in, $at[-1]) if @at > 3;
}
else
{
	die "usage: $0 json|tiktok|youtube|telegram < fixture > seed\n";
}

exit 1 unless defined $out;
print $out;
