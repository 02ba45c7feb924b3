-- The mini-app's API, part 1: roles, Telegram sign-in, JWTs.
--
-- test/cos.conf names the files of the bot token and the JWT secret
-- (cos.bot_token_file, cos.jwt_secret_file: test/secrets, copied with mode
-- 600 by test/regress.sh).  The initData strings
-- below were signed with that bot token while writing this test, outside
-- Cos, by Telegram's rules (Python's hmac; the first one re-checked with
-- `openssl dgst -sha256 -hmac WebAppData` for the secret key and
-- `openssl dgst -sha256 -mac HMAC -macopt hexkey:<key>` over the sorted
-- "key=value" lines).  Their auth_date is 1700000000 (2023-11-14), so this
-- session allows any age (cos.init_data_max_age is superuser-settable); the
-- default age of one day is checked too.
SET timezone = 'UTC';
\set alice 'query_id=AAH1001&user=%7B%22id%22%3A1001%2C%22first_name%22%3A%22Alice%22%2C%22username%22%3A%22alice%22%2C%22language_code%22%3A%22ru%22%7D&auth_date=1700000000&start_param=ref_alice&hash=c8be36385ea118c47abb9e349a28bdc405b2cec5cb99a3a69f07d6fbf16ab36a'
\set bob 'query_id=AAH1002&user=%7B%22id%22%3A1002%2C%22first_name%22%3A%22Bob%22%2C%22username%22%3A%22bob%22%2C%22language_code%22%3A%22ru%22%7D&auth_date=1700000000&hash=930db1e672854f20ba07b134c6c68692e8df11968c3829b37a2841b8624dd3cc'
\set carol 'query_id=AAH1003&user=%7B%22id%22%3A1003%2C%22first_name%22%3A%22Carol%20Admin%22%2C%22username%22%3A%22carol%22%2C%22language_code%22%3A%22ru%22%7D&auth_date=1700000000&hash=f8244aeec1d1eb1cd9ba4d1180a3c150ae73bccc9d668c4821a84700a06858f4'

-- the roles: API roles cannot log in; the authenticator logs in (the HTTP
-- gateway connects as it), inherits nothing and may become each
SELECT rolname, rolcanlogin, rolinherit FROM pg_roles WHERE rolname LIKE 'cos\_%' ORDER BY 1;
SELECT r.rolname AS member_of, m.rolname AS member
  FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
 WHERE r.rolname LIKE 'cos\_%' ORDER BY 1, 2;
SELECT name, setting, context FROM pg_settings WHERE name = 'cos.http_role';

-- what the gateway's login role may do before it switches role: sign a
-- request in (cos._auth_jwt, cos._auth_init_data), nothing else; and the
-- uploads it serves are readable by the anonymous role
SELECT cos._jwt_sign('{"role": "cos_user", "sub": "7"}') AS seven_token \gset
SET ROLE cos_authenticator;
SELECT current_user, cos._auth_jwt(:'seven_token') ->> 'sub' AS sub;
SELECT public.fails('SELECT count(*) FROM cos.accounts') AS accounts,
       public.fails('SELECT count(*) FROM cos.users') AS users,
       public.fails('SELECT count(*) FROM cos.uploads') AS uploads,
       public.fails('SELECT cos_api.me()') AS me,
       public.fails('SELECT cos._verify_init_data(''x'')') AS verify;
RESET ROLE;
SELECT r AS role, has_table_privilege(r, 'cos.uploads', 'SELECT') AS uploads,
       has_table_privilege(r, 'cos.accounts', 'SELECT') AS accounts,
       has_function_privilege(r, 'cos._auth_init_data(text)', 'EXECUTE') AS auth_init_data
  FROM unnest(ARRAY['cos_anon', 'cos_user', 'cos_admin', 'cos_authenticator']) r;

-- cos_api: reads STABLE, writes VOLATILE, every function commented;
-- SECURITY DEFINER ones pin search_path
SELECT p.proname, p.provolatile, p.prosecdef,
       obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented,
       array_to_string(p.proconfig, ',') AS config
  FROM pg_proc p WHERE p.pronamespace = 'cos_api'::regnamespace ORDER BY 1;
SELECT n.nspname, p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname IN ('cos', 'cos_api') AND p.prosecdef
   AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false);
-- who may execute what
SELECT p.proname,
       has_function_privilege('cos_anon', p.oid, 'EXECUTE') AS anon,
       has_function_privilege('cos_user', p.oid, 'EXECUTE') AS "user",
       has_function_privilege('cos_admin', p.oid, 'EXECUTE') AS admin
  FROM pg_proc p WHERE p.pronamespace = 'cos_api'::regnamespace ORDER BY 1;
SELECT p.proname FROM pg_proc p
 WHERE p.pronamespace = 'cos'::regnamespace AND p.proname IN ('_jwt_sign', '_auth_jwt', '_auth_init_data', '_verify_init_data')
   AND (has_function_privilege('cos_anon', p.oid, 'EXECUTE') OR has_function_privilege('cos_user', p.oid, 'EXECUTE'));
-- in schema cos, what an API role may execute: the URL parser and extractor
-- (granted to PUBLIC) and the helpers the read functions call as the user
SELECT p.proname, has_function_privilege('cos_anon', p.oid, 'EXECUTE') AS anon
  FROM pg_proc p
 WHERE p.pronamespace = 'cos'::regnamespace AND has_function_privilege('cos_user', p.oid, 'EXECUTE')
 ORDER BY 1;
-- the GUCs: files, not secrets; defaults of one day; the roles whose
-- sessions may pass claims
SELECT name, setting, unit, context FROM pg_settings
 WHERE name IN ('cos.init_data_max_age', 'cos.jwt_expiry', 'cos.bot_token_file', 'cos.jwt_secret_file',
				'cos.authenticator_roles', 'cos.bot_token', 'cos.jwt_secret') ORDER BY 1;

-- bad initData: PT401 from login (28000, invalid_authorization_specification, from cos._auth_init_data), with the reason
SET ROLE cos_anon;
-- auth_date is years old at the default cos.init_data_max_age (1 day)
SELECT regexp_replace(public.fails(format('SELECT cos_api.login(%L)', :'alice')), '\d+ seconds old', 'N seconds old') AS stale;
RESET ROLE;
SET cos.init_data_max_age = 2147483647;
SET ROLE cos_anon;
-- a changed field (Alice's id made Bob's)
SELECT public.fails(format('SELECT cos_api.login(replace(%L, ''%%22id%%22%%3A1001'', ''%%22id%%22%%3A1002''))', :'alice'));
-- missing hash
SELECT public.fails(format('SELECT cos_api.login(regexp_replace(%L, ''&hash=.*$'', ''''))', :'alice'));
-- a field twice
SELECT public.fails(format('SELECT cos_api.login(%L || ''&auth_date=1700000000'')', :'alice'));
-- "%2B" is a '+', which is not the space that was signed
SELECT public.fails(format('SELECT cos_api.login(replace(%L, ''Carol%%20Admin'', ''Carol%%2BAdmin''))', :'carol'));
-- garbage
SELECT public.fails('SELECT cos_api.login(''not init data'')');
SELECT public.fails('SELECT cos_api.login('''')');
-- Bob's data signed with another bot's token (9876543210:AAE_anotherBotToken_abcdefghijklmnop)
SELECT public.fails(format('SELECT cos_api.login(regexp_replace(%L, ''hash=.*$'', ''hash=bd8fa4a53bbd8c013d450f870c0b8b87b521f9775b20170ed1afcfaf3a8d5872''))', :'bob'));
-- a hash of the right form that is no HMAC at all
SELECT public.fails(format('SELECT cos_api.login(regexp_replace(%L, ''hash=.*$'', ''hash='' || repeat(''ab'', 32)))', :'bob'));
-- nothing was stored
RESET ROLE;
SELECT count(*) AS users FROM cos.users;

-- valid initData: a user is created and a JWT returned
SET ROLE cos_anon;
SELECT cos_api.login(:'alice') AS r \gset alice_
RESET ROLE;
SELECT (:'alice_r'::jsonb -> 'user') - 'created_at' - 'seen_at' - 'id' AS alice_user;
SELECT (:'alice_r'::jsonb -> 'user' ->> 'id')::bigint = id AS same_id, telegram_id, username, first_name,
       last_name, language_code, role, status, start_param
  FROM cos.users;
-- the token: three base64url parts; verified, its claims are role, sub,
-- telegram_id, iat and exp = iat + cos.jwt_expiry
SELECT :'alice_r'::jsonb ->> 'token' AS alice_token \gset
SELECT :'alice_token' ~ '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' AS three_parts;
SELECT cos._auth_jwt(:'alice_token') - 'iat' - 'exp' - 'sub' AS claims,
       cos._auth_jwt(:'alice_token') ->> 'sub' = :'alice_r'::jsonb -> 'user' ->> 'id' AS sub_is_user_id,
       (cos._auth_jwt(:'alice_token') ->> 'exp')::bigint - (cos._auth_jwt(:'alice_token') ->> 'iat')::bigint AS lifetime,
       abs((cos._auth_jwt(:'alice_token') ->> 'iat')::bigint - extract(epoch FROM now())::bigint) < 60 AS iat_is_now;
-- the header is {"alg":"HS256","typ":"JWT"}
SELECT split_part(:'alice_token', '.', 1) AS h \gset
SELECT convert_from(decode(rpad(translate(:'h', '-_', '+/'), (length(:'h') + 3) / 4 * 4, '='), 'base64'), 'UTF8') AS header;

-- signing in again: the same user, names refreshed, no new row
SET ROLE cos_anon;
SELECT cos_api.login(:'alice') -> 'user' ->> 'id' = :'alice_r'::jsonb -> 'user' ->> 'id' AS same_id;
SELECT cos_api.login(:'bob') AS r \gset bob_
-- '+' in a value is a space, as URLSearchParams reads it: Carol's name was
-- signed as "Carol Admin" and is sent here as "Carol+Admin"
SELECT cos_api.login(replace(:'carol', 'Carol%20Admin', 'Carol+Admin')) AS r \gset carol_
SELECT :'carol_r'::jsonb -> 'user' ->> 'first_name' AS plus_is_space;
RESET ROLE;
SELECT :'bob_r'::jsonb ->> 'token' AS bob_token, :'carol_r'::jsonb ->> 'token' AS carol_token,
       :'bob_r'::jsonb -> 'user' ->> 'id' AS bob_id \gset
SELECT telegram_id, username, first_name, role FROM cos.users ORDER BY id;

-- _auth_init_data, as the gateway calls it for "Authorization: tma …"
SELECT cos._auth_init_data(:'bob') - 'sub' AS claims,
       cos._auth_init_data(:'bob') ->> 'sub' = :'bob_id' AS sub_is_user_id;

-- bad tokens: 28000
SELECT public.fails(format('SELECT cos._auth_jwt(%L || ''x'')', :'alice_token'));
SELECT public.fails('SELECT cos._auth_jwt(NULL)');
SELECT public.fails('SELECT cos._auth_jwt(''abc.def'')');
-- claims changed (Alice's sub made Bob's) under Alice's signature
SELECT split_part(:'alice_token', '.', 1) || '.' ||
       rtrim(translate(encode(convert_to(jsonb_set(cos._auth_jwt(:'alice_token'), '{sub}', to_jsonb(:'bob_id'::text))::text, 'UTF8'), 'base64'), E'+/\n', '-_'), '=') ||
       '.' || split_part(:'alice_token', '.', 3) AS forged \gset
SELECT public.fails(format('SELECT cos._auth_jwt(%L)', :'forged'));
-- alg none, no signature
SELECT public.fails(format('SELECT cos._auth_jwt(''eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.'' || split_part(%L, ''.'', 2) || ''.'')', :'alice_token'));
-- expired (exp in 1970) and without role/sub, though signed right
SELECT public.fails('SELECT cos._auth_jwt(cos._jwt_sign(''{"role": "cos_user", "sub": "1", "exp": 1}''))');
SELECT public.fails('SELECT cos._auth_jwt(cos._jwt_sign(''{"role": "cos_user"}''))');
SELECT public.fails('SELECT cos._jwt_sign(''[1]'')');
-- a token signed with another secret
SET cos.jwt_secret_file = '../../tmp_secrets/jwt_secret_other';
SELECT cos._jwt_sign('{"role": "cos_user", "sub": "1"}') AS other_token \gset
RESET cos.jwt_secret_file;
SELECT public.fails(format('SELECT cos._auth_jwt(%L)', :'other_token'));
-- a secret PostgREST would refuse, and no bot token: 55000, with a hint
SET cos.jwt_secret_file = '../../tmp_secrets/jwt_secret_short';
SELECT public.fails('SELECT cos._jwt_sign(''{"role": "cos_user", "sub": "1"}'')');
RESET cos.jwt_secret_file;
SET cos.bot_token_file = '';
SELECT public.fails(format('SELECT cos_api.login(%L)', :'alice'));
RESET cos.bot_token_file;
-- a secret file its group or others may read is refused (mode 644), and
-- one that is missing; tokens signed before still verify once it is fixed
SET cos.jwt_secret_file = '../../tmp_secrets/jwt_secret_world_readable';
SELECT public.fails(format('SELECT cos._auth_jwt(%L)', :'alice_token'));
SET cos.jwt_secret_file = '../../tmp_secrets/no_such_file';
SELECT regexp_replace(public.fails('SELECT cos._jwt_sign(''{}'')'), '"[^"]*/', '"…/') AS missing;
RESET cos.jwt_secret_file;
SELECT cos._auth_jwt(:'alice_token') ->> 'role' AS role_again;
-- the settings that held the secrets before refuse a value, naming the new ones
SET cos.jwt_secret = 'cos-regress-jwt-secret-0123456789abcdef';
SET cos.bot_token = '1234567890:AAE_cosRegressTestToken_0123456789';

-- a monitoring role (pg_monitor, so pg_read_all_settings) reads every
-- setting, superuser-only ones too: none of them holds a secret
CREATE ROLE cos_test_monitor;
GRANT pg_monitor TO cos_test_monitor;
SET ROLE cos_test_monitor;
SELECT count(*) > 0 AS reads_cos_settings FROM pg_settings WHERE name LIKE 'cos.%' AND setting IS NOT NULL;
SELECT name FROM pg_settings
 WHERE setting LIKE '%cosRegressTestToken%' OR setting LIKE '%cos-regress-jwt-secret%';
SHOW cos.jwt_secret;
SHOW cos.bot_token;
SELECT public.fails('SELECT pg_read_file(''../../tmp_secrets/jwt_secret'')') AS read_file;
RESET ROLE;
DROP ROLE cos_test_monitor;

-- the API roles can neither read nor set the secrets and limits
SET ROLE cos_user;
SELECT public.fails('SHOW cos.bot_token');
SELECT public.fails('SET cos.bot_token_file = ''/tmp/mine''');
SELECT public.fails('SET cos.init_data_max_age = 2147483647');
SELECT public.fails('SELECT cos._jwt_sign(''{"role": "cos_admin", "sub": "3"}'')');
SELECT public.fails(format('SELECT cos._auth_init_data(%L)', :'alice'));
RESET ROLE;

-- a blocked user cannot sign in (PT403 from login, 42501 from cos._auth_init_data)
UPDATE cos.users SET status = 'blocked' WHERE telegram_id = 1002;
SET ROLE cos_anon;
SELECT public.fails(format('SELECT cos_api.login(%L)', :'bob'));
RESET ROLE;
UPDATE cos.users SET status = 'active' WHERE telegram_id = 1002;

-- the tokens for the next test file (08_api_data)
CREATE TABLE public.api_tokens (name text PRIMARY KEY, token text NOT NULL);
INSERT INTO public.api_tokens VALUES ('alice', :'alice_token'), ('bob', :'bob_token'), ('carol', :'carol_token');
