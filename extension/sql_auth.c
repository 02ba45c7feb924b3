/*
 * sql_auth.c
 *	  SQL-callable C for the mini-app's sign-in: cos._verify_init_data,
 *	  cos._jwt_sign, cos._auth_jwt.  The checks themselves are the pure C of
 *	  initdata.c and jwt.c; this file reads the GUCs (cos.bot_token,
 *	  cos.init_data_max_age, cos.jwt_secret, cos.jwt_expiry), converts
 *	  between jsonb and jansson, and turns refusals into errors.
 */
#include "postgres.h"

#include <time.h>

#include "fmgr.h"
/* PostgreSQL's json_object() SQL function clashes with jansson's */
#define json_object pg_json_object
#include "utils/builtins.h"
#undef json_object
#include "utils/jsonb.h"

#include "cos.h"
#include "initdata.h"
#include "jwt.h"

PG_FUNCTION_INFO_V1(cos_verify_init_data);
PG_FUNCTION_INFO_V1(cos_jwt_sign_sql);
PG_FUNCTION_INFO_V1(cos_auth_jwt);

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

/* Raises the error for a missing or too short JWT secret. */
static void
CheckJwtSecret(void)
{
	size_t		len = cos_jwt_secret ? strlen(cos_jwt_secret) : 0;

	if (len < MIN_JWT_SECRET_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cos.jwt_secret is %s", len == 0 ? "not set" : "too short"),
				 errdetail("The secret JWTs are signed with must be at least %d bytes.",
						   MIN_JWT_SECRET_LEN),
				 errhint("Set cos.jwt_secret in postgresql.conf (the same value as PostgREST's jwt-secret) and reload.")));
}

/*
 * cos._verify_init_data(init_data text) -> jsonb
 * Validates Telegram Mini App initData with cos.bot_token, allowing an
 * auth_date up to cos.init_data_max_age seconds old (initdata.h has the
 * rules).  Returns every field but hash: {"user": {...}, "auth_date": n,
 * "start_param": "...", "query_id": "...", ...}.  Raises
 * invalid_authorization_specification (28000) for data that fails any
 * check, object_not_in_prerequisite_state (55000) when cos.bot_token is
 * not set.
 */
Datum
cos_verify_init_data(PG_FUNCTION_ARGS)
{
	text	   *arg = PG_GETARG_TEXT_PP(0);
	CosInitDataError err;
	char		reason[256];
	json_t	   *result;

	if (cos_bot_token == NULL || cos_bot_token[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cos.bot_token is not set"),
				 errhint("Set cos.bot_token in postgresql.conf to the token @BotFather gave the Mini App's bot, and reload.")));

	result = cos_initdata_validate(VARDATA_ANY(arg), VARSIZE_ANY_EXHDR(arg), cos_bot_token,
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
 * Signs claims (a JSON object) as an HS256 JWT with cos.jwt_secret.  Adds
 * "iat" (now) and "exp" (now + cos.jwt_expiry) unless claims has them.
 * Raises invalid_parameter_value (22023) when claims is not an object and
 * object_not_in_prerequisite_state (55000) when cos.jwt_secret is unset
 * or shorter than 32 bytes.
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

	CheckJwtSecret();
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
	token = cos_jwt_sign(claims, cos_jwt_secret, strlen(cos_jwt_secret));
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
 * Verifies an HS256 JWT (the bare token, without "Bearer ") with
 * cos.jwt_secret and returns its claims.  Raises
 * invalid_authorization_specification (28000) for a NULL, malformed,
 * wrongly signed, non-HS256, expired or not yet valid token, and for one
 * whose claims lack a string "role" or "sub"; object_not_in_prerequisite_state
 * (55000) when cos.jwt_secret is unset or too short.
 */
Datum
cos_auth_jwt(PG_FUNCTION_ARGS)
{
	text	   *arg;
	CosJwtError err;
	char		reason[256];
	json_t	   *claims;

	CheckJwtSecret();
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("invalid JWT: no token")));
	arg = PG_GETARG_TEXT_PP(0);
	claims = cos_jwt_verify(VARDATA_ANY(arg), VARSIZE_ANY_EXHDR(arg), cos_jwt_secret,
							strlen(cos_jwt_secret), UnixNow(), &err, reason, sizeof(reason));
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
