#!/usr/bin/env python3
# test/e2e/init-data.py -- Telegram Mini App initData for a test user, signed
# with a bot token as Telegram specifies: secret key = HMAC-SHA256(key
# "WebAppData", bot token); hash = hex HMAC-SHA256(secret key, every other
# field as "name=value", sorted by name, joined by "\n").  Percent-encoded as
# the WebApp hands it over (encodeURIComponent: a space is %20).
#
#   init-data.py BOT_TOKEN TELEGRAM_ID FIRST_NAME [LANGUAGE_CODE [START_PARAM]]
#
# It carries a "signature" field (Telegram's Ed25519 signature for third
# parties; a placeholder here): @telegram-apps/sdk refuses initData without
# one, and Cos's HMAC covers it like any other field.
import hashlib
import hmac
import json
import sys
import time
import urllib.parse

token, tid, first = sys.argv[1:4]
lang = sys.argv[4] if len(sys.argv) > 4 else "en"
user = json.dumps({"id": int(tid), "first_name": first, "username": first.lower(),
                   "language_code": lang, "allows_write_to_pm": True},
                  ensure_ascii=False, separators=(",", ":"))
fields = {"query_id": "AAH" + tid, "user": user, "auth_date": str(int(time.time())),
          "signature": "dGVzdC1zaWduYXR1cmUtbm90LWNoZWNrZWQtYnktY29z"}
if len(sys.argv) > 5 and sys.argv[5]:
    fields["start_param"] = sys.argv[5]
check = "\n".join(k + "=" + fields[k] for k in sorted(fields))
secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
print(urllib.parse.urlencode(fields, quote_via=urllib.parse.quote))
