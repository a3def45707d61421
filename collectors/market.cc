#include "collectors/market.h"

#include <utility>

#include "collectors/common.h"
#include "collectors/families.h"
#include "collectors/json.h"
#include "exporter/core/date.h"

namespace akash::collectors {

core::Result<core::Decimal> ParseAktPrice(std::string_view body, std::string_view route) {
  auto doc = ParseJson(body, route);
  if (!doc.ok()) return std::move(doc).error();
  AKASH_COLL_ASSIGN_OR_RETURN(auto root, JsonObject::From(*doc, std::string(route)));
  AKASH_COLL_ASSIGN_OR_RETURN(core::Decimal price, root.Decimal("price"));
  if (price.IsNegative() || price.IsZero()) {
    // CoinGecko outages have surfaced as 0; a zero price would value every AKT amount at $0.
    return core::MakeError(core::ErrorReason::kParse,
                           "GET " + std::string(route) + ": field price: not a positive number");
  }
  return price;
}

MarketSource::MarketSource(std::string console_api, std::vector<core::TakeRateRegime> take_rates)
    : name_(core::kSourceMarket),
      console_api_(std::move(console_api)),
      take_rates_(std::move(take_rates)) {}

core::Result<PollOutput> MarketSource::Poll(core::Fetcher& fetcher, const PollContext& ctx) {
  core::Request request;
  request.url = JoinUrl(console_api_, "/v1/market-data/akt");
  request.headers.emplace_back("Accept", "application/json");
  auto response = fetcher.Get(request);
  if (!response.ok()) return std::move(response).error();
  if (!IsSuccess(response->status)) return UpstreamHttpError(request, *response);
  auto price = ParseAktPrice(response->body, core::UrlForLog(request.url));
  if (!price.ok()) return std::move(price).error();
  const double price_usd = price->ToDouble();
  if (ctx.facts != nullptr) ctx.facts->SetAktPriceUsd(price_usd);

  const core::TakeRateRegime regime = RegimeFor(core::Date::FromTime(ctx.now), take_rates_);
  PollOutput out;
  out.families.push_back(GaugeFamily(
      "akash_akt_price_usd",
      "AKT price in USD, from the Console API /v1/market-data/akt (price; cached upstream for "
      "300 s); refreshed every market interval.",
      {}, price_usd));
  FamilyBuilder take("akash_take_rate_ratio",
                     "Protocol take rate in force today (UTC) by denomination (act also covers "
                     "legacy USDC), from the exporter's take_rates configuration (default: the "
                     "chain's history, 0 since BME on 2026-03-21); refreshed every market "
                     "interval.",
                     prometheus::MetricType::Gauge);
  take.Add({{"denom", "akt"}}, regime.akt.ToDouble());
  take.Add({{"denom", "act"}}, regime.act.ToDouble());
  out.families.push_back(std::move(take).Build());
  return out;
}

}  // namespace akash::collectors
