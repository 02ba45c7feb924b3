/*
 * sql_auth.c
 *	  SQL-callable C for the mini-app's sign-in: cos._verify_init_data,
 *	  cos._jwt_sign, cos._auth_jwt, and cos._uid (the signed-in user of a
 *	  request).  The checks themselves are the pure C of initdata.c and
 *	  jwt.c; this file reads the secrets (secrets.c) and the GUCs
 *	  (cos.init_data_max_age, cos.jwt_expiry), converts between jsonb and
 *	  jansson, and turns refusals into errors.
 */
#include "postgres.h"

#include <time.h>

#include "fmgr.h"
#include "miscadmin.h"
/* PostgreSQL's json_object() SQL function clashes with jansson's */
#define json_object pg_json_object
#include "utils/builtins.h"
#undef json_object
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/varlena.h"

#include "cos.h"
#include "initdata.h"
#include "jwt.h"

PG_FUNCTION_INFO_V1(cos_verify_init_data);
PG_FUNCTION_INFO_V1(cos_jwt_sign_sql);
PG_FUNCTION_INFO_V1(cos_auth_jwt);
PG_FUNCTION_INFO_V1(cos_uid);

/* PostgREST refuses HS256 secrets shorter than this; so does Cos. */
#define MIN_JWT_SECRET_LEN 32

/* The wall clock in Unix seconds (what auth_date and exp count in). */
static long long
UnixNow(void)
{
	return (long long) time(NULL);
}

/*
 * Converts a jansson value to jsonb and releases it (also when the
 * conversion raises an error).
 */
static Datum
JanssonToJsonb(json_t *value)
{
	char	   *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
	Datum		result;

	json_decref(value);
	if (text == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while serialising JSON")));
	PG_TRY();
	{
		result = DirectFunctionCall1(jsonb_in, CStringGetDatum(text));
	}
	PG_FINALLY();
	{
		free(text);
	}
	PG_END_TRY();
	return result;
}

/*
 * The JWT secret (cos.jwt_secret_file); raises object_not_in_prerequisite_state
 * (55000) when it is not set or shorter than MIN_JWT_SECRET_LEN.
 */
static const char *
JwtSecret(void)
{
	const char *secret = cos_secret(COS_SECRET_JWT);

	if (secret == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cos.jwt_secret_file is not set"),
				 errhint("Write the secret (at least %d bytes, the same as PostgREST's jwt-secret) to a file only the server's operating-system user may read, name it in cos.jwt_secret_file and reload.",
						 MIN_JWT_SECRET_LEN)));
	if (strlen(secret) < MIN_JWT_SECRET_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the secret in cos.jwt_secret_file is too short"),
				 errdetail("The secret JWTs are signed with must be at least %d bytes.",
						   MIN_JWT_SECRET_LEN)));
	return secret;
}

/*
 * cos._verify_init_data(init_data text) -> jsonb
 * Validates Telegram Mini App initData with the bot token (cos.bot_token_file), allowing an
 * auth_date up to cos.init_data_max_age seconds old (initdata.h has the
 * rules).  Returns every field but hash: {"user": {...}, "auth_date": n,
 * "start_param": "...", "query_id": "...", ...}.  Raises
 * invalid_authorization_specification (28000) for data that fails any
 * check, object_not_in_prerequisite_state (55000) when cos.bot_token_file is
 * not set or its file is refused (secrets.c).
 */
Datum
cos_verify_init_data(PG_FUNCTION_ARGS)
{
	text	   *arg = PG_GETARG_TEXT_PP(0);
	const char *bot_token = cos_secret(COS_SECRET_BOT_TOKEN);
	CosInitDataError err;
	char		reason[256];
	json_t	   *result;

	if (bot_token == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cos.bot_token_file is not set"),
				 errhint("Write the token @BotFather gave the Mini App's bot to a file only the server's operating-system user may read, name it in cos.bot_token_file and reload.")));

	result = cos_initdata_validate(VARDATA_ANY(arg), VARSIZE_ANY_EXHDR(arg), bot_token,
								   UnixNow(), cos_init_data_max_age_s, &err,
								   reason, sizeof(reason));
	if (result == NULL)
	{
		if (err == COS_INITDATA_NOMEM)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory while validating initData")));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("invalid Telegram initData: %s", reason),
				 err == COS_INITDATA_EXPIRED
				 ? errhint("Reopen the Mini App to get fresh initData.")
				 : errhint("Pass Telegram.WebApp.initData unchanged, as the Mini App received it.")));
	}
	PG_RETURN_DATUM(JanssonToJsonb(result));
}

/*
 * cos._jwt_sign(claims jsonb) -> text
 * Signs claims (a JSON object) as an HS256 JWT with the secret in cos.jwt_secret_file.  Adds
 * "iat" (now) and "exp" (now + cos.jwt_expiry) unless claims has them.
 * Raises invalid_parameter_value (22023) when claims is not an object and
 * object_not_in_prerequisite_state (55000) when cos.jwt_secret_file is unset,
 * its file refused, or the secret shorter than 32 bytes.
 */
Datum
cos_jwt_sign_sql(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	char	   *claims_text = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
	json_t	   *claims;
	char	   *token;
	text	   *result;
	long long	now = UnixNow();
	const char *secret = JwtSecret();

	claims = json_loads(claims_text, 0, NULL);
	if (!json_is_object(claims))
	{
		json_decref(claims);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("JWT claims must be a JSON object")));
	}
	if (json_object_get(claims, "iat") == NULL)
		json_object_set_new(claims, "iat", json_integer(now));
	if (json_object_get(claims, "exp") == NULL)
		json_object_set_new(claims, "exp", json_integer(now + cos_jwt_expiry_s));
	token = cos_jwt_sign(claims, secret, strlen(secret));
	json_decref(claims);
	if (token == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while signing a JWT")));
	result = cstring_to_text(token);
	free(token);
	PG_RETURN_TEXT_P(result);
}

/*
 * cos._auth_jwt(token text) -> jsonb
 * Verifies an HS256 JWT (the bare token, without "Bearer ") with the
 * secret in cos.jwt_secret_file and returns its claims.  Raises
 * invalid_authorization_specification (28000) for a NULL, malformed,
 * wrongly signed, non-HS256, expired or not yet valid token, and for one
 * whose claims lack a string "role" or "sub"; object_not_in_prerequisite_state
 * (55000) when cos.jwt_secret_file is unset, refused or too short.
 */
Datum
cos_auth_jwt(PG_FUNCTION_ARGS)
{
	text	   *arg;
	CosJwtError err;
	char		reason[256];
	json_t	   *claims;
	const char *secret = JwtSecret();

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("invalid JWT: no token")));
	arg = PG_GETARG_TEXT_PP(0);
	claims = cos_jwt_verify(VARDATA_ANY(arg), VARSIZE_ANY_EXHDR(arg), secret,
							strlen(secret), UnixNow(), &err, reason, sizeof(reason));
	if (claims == NULL)
	{
		if (err == COS_JWT_NOMEM)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory while verifying a JWT")));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("invalid JWT: %s", reason),
				 err == COS_JWT_EXPIRED ? errhint("Sign in again with cos_api.login.") : 0));
	}
	if (!json_is_string(json_object_get(claims, "role")) ||
		!json_is_string(json_object_get(claims, "sub")))
	{
		json_decref(claims);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("invalid JWT: the claims lack a string \"role\" or \"sub\"")));
	}
	PG_RETURN_DATUM(JanssonToJsonb(claims));
}

/*
 * Whether this session may pass a user's claims in request.jwt.claims: it
 * logged in as a superuser, as cos.http_role (the gateway) or as one of
 * cos.authenticator_roles (PostgREST's authenticator).  The session user,
 * not the current one: any role granted cos_user could SET ROLE to it, but
 * only a superuser can change the session user.  The answer for the names
 * is kept until the session user or cos.authenticator_roles changes
 * (cos.http_role is fixed at server start).
 */
static bool
ClaimsTrusted(void)
{
	static Oid	known_session = InvalidOid;
	static char *known_roles = NULL;
	static bool known_trusted = false;
	Oid			session = GetSessionUserId();
	const char *roles = cos_authenticator_roles != NULL ? cos_authenticator_roles : "";
	char	   *name;
	char	   *list;
	List	   *names;
	ListCell   *lc;

	if (superuser_arg(session))
		return true;
	if (session == known_session && known_roles != NULL && strcmp(known_roles, roles) == 0)
		return known_trusted;

	known_trusted = false;
	name = GetUserNameFromId(session, true);
	if (name != NULL && cos_http_role != NULL && strcmp(name, cos_http_role) == 0)
		known_trusted = true;
	list = pstrdup(roles);
	if (name != NULL && !known_trusted && SplitIdentifierString(list, ',', &names))
	{
		foreach(lc, names)
		{
			if (strcmp((const char *) lfirst(lc), name) == 0)
				known_trusted = true;
		}
		list_free(names);
	}
	pfree(list);
	if (known_roles != NULL)
		pfree(known_roles);
	known_roles = MemoryContextStrdup(TopMemoryContext, roles);
	known_session = session;
	return known_trusted;
}

/*
 * The user id in claims (the JSON text of request.jwt.claims): its "sub", a
 * string or number of 1 to 18 decimal digits.  False when there is none;
 * raises invalid_text_representation (22P02) for text that is not JSON.
 */
static bool
ClaimsSub(const char *claims, int64 *uid)
{
	Jsonb	   *jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(claims)));
	JsonbValue	v;
	char	   *sub;
	size_t		len;

	if (!JB_ROOT_IS_OBJECT(jb) ||
		getKeyJsonValueFromContainer(&jb->root, "sub", 3, &v) == NULL)
		return false;
	if (v.type == jbvString)
		sub = pnstrdup(v.val.string.val, v.val.string.len);
	else if (v.type == jbvNumeric)
		sub = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v.val.numeric)));
	else
		return false;
	len = strlen(sub);
	if (len < 1 || len > 18 || strspn(sub, "0123456789") != len)
		return false;
	*uid = strtoll(sub, NULL, 10);
	return true;
}

/*
 * cos._uid() -> bigint
 * The signed-in user of this request: the "sub" (1 to 18 digits) of the
 * JSON in request.jwt.claims, which PostgREST and the gateway set from a
 * verified token; NULL when there are no claims, no such sub, or when this
 * session may not pass claims (ClaimsTrusted: any other login could SET the
 * claims itself).  The last claims read are kept, so repeated calls in a
 * request parse them once.  Raises invalid_text_representation (22P02) for
 * claims that are not JSON.
 */
Datum
cos_uid(PG_FUNCTION_ARGS)
{
	static char *known_claims = NULL;
	static int64 known_uid;
	static bool known_found;
	const char *claims = GetConfigOption("request.jwt.claims", true, false);

	if (claims == NULL || claims[0] == '\0' || !ClaimsTrusted())
		PG_RETURN_NULL();
	if (known_claims == NULL || strcmp(known_claims, claims) != 0)
	{
		int64		uid = 0;
		bool		found = ClaimsSub(claims, &uid);

		if (known_claims != NULL)
			pfree(known_claims);
		known_claims = MemoryContextStrdup(TopMemoryContext, claims);
		known_uid = uid;
		known_found = found;
	}
	if (!known_found)
		PG_RETURN_NULL();
	PG_RETURN_INT64(known_uid);
}
