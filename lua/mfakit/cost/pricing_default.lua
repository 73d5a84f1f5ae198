-- mfakit.cost.pricing_default: the pricing/*.json files, embedded so that
-- `mfakit cost` works from any directory. Generated; do not edit. Regenerate:
--   mfakit -e 'io.write(require("mfakit.cost.pricing").embed_source("pricing"))' \
--     > lua/mfakit/cost/pricing_default.lua
-- tests/test_cost.lua fails when this file and pricing/ differ.
-- luacheck: no max line length
return {
    ["aws-2026-09"] = [=[
{
  "profile": "aws-2026-09",
  "title": "Cognito feature plans Lite, Essentials and Plus (as transcribed 2026-09-20), with the only SMS prices we could cite",
  "currency": "USD",
  "default_tier": "essentials",
  "default_country": "US",
  "tiers": [
    {
      "id": "lite",
      "name": "Lite",
      "free_mau": {
        "value": 10000,
        "unit": "MAU per month",
        "checked": "2026-09-20",
        "source": "aws.amazon.com/cognito/pricing as transcribed by a third party on 2026-09-20 (https://raw.githubusercontent.com/api-evangelist/amazon-cognito/refs/heads/main/plans/amazon-cognito-plans-pricing.yml); stacktape/stacktape @generated/ai-docs/security-resources/user-auth-pools/09-pricing.md"
      },
      "mau_prices": [
        {
          "up_to": 100000,
          "value": 0.0055,
          "unit": "per MAU from 10,001 to 100,000",
          "currency": "USD",
          "checked": "2026-09-20",
          "source": "aws.amazon.com/cognito/pricing as transcribed on 2026-09-20 (api-evangelist/amazon-cognito plans/amazon-cognito-plans-pricing.yml); band edges from stacktape/stacktape @generated/ai-docs/security-resources/user-auth-pools/09-pricing.md"
        },
        {
          "up_to": 1000000,
          "value": 0.0046,
          "unit": "per MAU from 100,001 to 1,000,000",
          "currency": "USD",
          "checked": "2026-09-20",
          "source": "stacktape/stacktape @generated/ai-docs/security-resources/user-auth-pools/09-pricing.md; the 2026-09-20 transcript of aws.amazon.com/cognito/pricing has \"850,000 MAUs x $0.0046\""
        },
        {
          "value": 0.00325,
          "unit": "per MAU above 1,000,000",
          "currency": "USD",
          "checked": "undated",
          "source": "stacktape/stacktape @generated/ai-docs/security-resources/user-auth-pools/09-pricing.md (a generated third-party document)",
          "note": "the old schedule's cheaper band above 10,000,000 MAU ($0.0025) is UNCONFIRMED for Lite and not modelled"
        }
      ]
    },
    {
      "id": "essentials",
      "name": "Essentials (the default plan for new user pools)",
      "free_mau": {
        "value": 10000,
        "unit": "MAU per month",
        "checked": "2026-09-20",
        "source": "aws.amazon.com/cognito/pricing as transcribed by a third party on 2026-09-20 (api-evangelist/amazon-cognito plans/amazon-cognito-plans-pricing.yml); also https://c3x.dev/resources/aws/aws_cognito_user_pool/ (\"Essentials... 10,000 free\")"
      },
      "mau_prices": [
        {
          "value": 0.015,
          "unit": "per MAU above the free MAU",
          "currency": "USD",
          "checked": "2026-09-20",
          "source": "aws.amazon.com/cognito/pricing as transcribed by a third party on 2026-09-20 (api-evangelist/amazon-cognito plans/amazon-cognito-plans-pricing.yml); default plan: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-sign-in-feature-plans.html"
        }
      ]
    },
    {
      "id": "plus",
      "name": "Plus",
      "free_mau": {
        "value": 0,
        "unit": "MAU per month",
        "checked": "2026-09-20",
        "source": "aws.amazon.com/cognito/pricing as transcribed by a third party on 2026-09-20 (api-evangelist/amazon-cognito plans/amazon-cognito-plans-pricing.yml): \"There is no free tier for the Plus tier\""
      },
      "mau_prices": [
        {
          "value": 0.02,
          "unit": "per MAU",
          "currency": "USD",
          "checked": "2026-09-20",
          "source": "aws.amazon.com/cognito/pricing as transcribed by a third party on 2026-09-20 (api-evangelist/amazon-cognito plans/amazon-cognito-plans-pricing.yml)"
        }
      ]
    }
  ],
  "sms": {
    "US": {
      "value": 0.00645,
      "unit": "per SMS message part",
      "currency": "USD",
      "checked": "2022-12-02",
      "source": "priceInUSD of the sample US delivery log in the Amazon SNS developer guide (https://docs.aws.amazon.com/sns/latest/dg/sms_stats_cloudwatch.html, awsdocs/amazon-sns-developer-guide doc_source/sms_stats_cloudwatch.md at d2d6700c0df4, 2022-12-02); the same 645 millicents in https://docs.aws.amazon.com/pinpoint/latest/developerguide/event-streams-data-sms.html",
      "note": "an illustrative documentation example (the sample log is dated 2016), not a price list; today's US price is a base price plus a carrier fee, UNCONFIRMED: check https://aws.amazon.com/end-user-messaging/pricing/"
    },
    "IN": {
      "value": 0.00278,
      "unit": "per SMS message part",
      "currency": "USD",
      "checked": "undated",
      "source": "nik786/kube-learn s3-transfer.md (a third-party note): transactional or promotional SMS on the DLT domestic route",
      "note": "low confidence; the same note gives $0.03-0.05 for non-DLT routes; check https://aws.amazon.com/end-user-messaging/pricing/"
    }
  }
}
]=],
    ["guide"] = [=[
{
  "profile": "guide",
  "title": "The guide's own figures: Cognito user pools as priced before the November 2024 feature plans, SMS to the US",
  "currency": "USD",
  "default_tier": "guide",
  "default_country": "US",
  "tiers": [
    {
      "id": "guide",
      "name": "Cognito user pools (pricing before the November 2024 feature plans)",
      "free_mau": {
        "value": 50000,
        "unit": "MAU per month",
        "checked": "undated",
        "source": "the guide's own figure; AWS's stored pricing pages from before November 2024 say the same (https://www.aws.amazon.com/de/cognito/pricing/, older snapshot: 50,000 MAU free for direct or social sign-in, per account or AWS Organization, no expiry)",
        "note": "superseded by the Lite/Essentials/Plus plans in November 2024; whether older pools keep 50,000 free MAU on Lite is UNCONFIRMED"
      },
      "mau_prices": [
        {
          "value": 0.0055,
          "unit": "per MAU above the free MAU",
          "currency": "USD",
          "checked": "undated",
          "source": "the guide's own figure; the same price for 50,001-100,000 MAU in fdel15/fantasy-crypto-game aws_research/cognito.md (a public research note)",
          "note": "the guide applies one price to every MAU above 50,000; AWS's old schedule had cheaper bands above 100,000 MAU (UNCONFIRMED from a primary source), which this profile does not model"
        }
      ]
    }
  ],
  "sms": {
    "US": {
      "value": 0.00645,
      "unit": "per SMS message part",
      "currency": "USD",
      "checked": "2022-12-02",
      "source": "the guide's own figure; it is the priceInUSD of the sample US delivery log in the Amazon SNS developer guide (https://docs.aws.amazon.com/sns/latest/dg/sms_stats_cloudwatch.html, awsdocs/amazon-sns-developer-guide doc_source/sms_stats_cloudwatch.md at d2d6700c0df4, 2022-12-02)",
      "note": "an illustrative documentation example (the sample log is dated 2016), not a price list; today's US price is a base price plus a carrier fee, UNCONFIRMED"
    }
  }
}
]=],
}
