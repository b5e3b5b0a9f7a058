# The variables Notify's official clients' integration suites read, for the service in
# seed.toml, served by `notify-emulator serve --config docs/official-suites/seed.toml`.
# Source it: `source docs/official-suites/env.sh` (NOTIFY_API_URL may be set first to another
# address).
notify_suites_service=11111111-1111-4111-8111-111111111111
export NOTIFY_API_URL="${NOTIFY_API_URL:-http://127.0.0.1:6011}"
export API_KEY="live-$notify_suites_service-22222222-2222-4222-8222-222222222222"
export API_SENDING_KEY="team-$notify_suites_service-33333333-3333-4333-8333-333333333333"
export INBOUND_SMS_QUERY_KEY="$API_KEY"
export FUNCTIONAL_TEST_NUMBER=07700900123
export FUNCTIONAL_TEST_EMAIL=tester@example.gov.uk
export SMS_TEMPLATE_ID=66666666-6666-4666-8666-666666666661
export EMAIL_TEMPLATE_ID=66666666-6666-4666-8666-666666666662
export LETTER_TEMPLATE_ID=66666666-6666-4666-8666-666666666663
export EMAIL_REPLY_TO_ID=55555555-5555-4555-8555-555555555555
export SMS_SENDER_ID=44444444-4444-4444-8444-444444444445
unset notify_suites_service
