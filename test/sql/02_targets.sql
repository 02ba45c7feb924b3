-- Adding targets by their public URLs; two forms of one target give one row.
SELECT cos.add_video('https://www.youtube.com/watch?v=GJLlxj_dtq8') AS yt1 \gset
SELECT cos.add_video('https://youtu.be/GJLlxj_dtq8?si=abc') = :yt1 AS same_row;
SELECT cos.add_video('https://m.youtube.com/shorts/GJLlxj_dtq8') = :yt1 AS same_row;
SELECT cos.add_video('https://www.tiktok.com/@dangthuhaf/video/7526770564367748360?is_from_webapp=1') AS tt1 \gset
SELECT cos.add_video('https://vm.tiktok.com/ZMabc123/') AS short \gset
SELECT cos.add_channel('https://www.youtube.com/channel/UCK8sQmJBp8GCxrOtXWBpyEA') AS ch1 \gset
SELECT cos.add_channel('https://www.tiktok.com/@novix.ht') AS ch2 \gset

SELECT platform, external_id, handle, url, status, tracked FROM cos.videos ORDER BY id;
SELECT platform, external_id, url, status, active FROM cos.channels ORDER BY id;

-- owner is kept, and a second add does not clear it
SELECT cos.add_video('https://www.youtube.com/watch?v=GJLlxj_dtq8', 42) = :yt1;
SELECT cos.add_video('https://www.youtube.com/watch?v=GJLlxj_dtq8') = :yt1;
SELECT owner FROM cos.videos WHERE id = :yt1;

-- bad input: a clear error with errcode invalid_parameter_value (22023)
\set VERBOSITY default
SELECT cos.add_video('not a url');
SELECT cos.add_video('https://example.com/watch?v=GJLlxj_dtq8');
SELECT cos.add_video('https://www.tiktok.com@127.0.0.2/');
SELECT cos.add_video('file:///etc/passwd');
SELECT cos.add_video('https://www.youtube.com/channel/UCK8sQmJBp8GCxrOtXWBpyEA');
SELECT cos.add_channel('https://www.youtube.com/watch?v=GJLlxj_dtq8');
\set VERBOSITY sqlstate
SELECT cos.add_video('https://www.youtube.com/watch?v=short');
\set VERBOSITY default

-- nothing was written by the failures
SELECT count(*) FROM cos.videos;
SELECT count(*) FROM cos.channels;
