#include "collectors/provider_status.h"

#include <cctype>
#include <utility>

#include "collectors/common.h"
#include "collectors/families.h"
#include "collectors/json.h"

namespace akash::collectors {
namespace {

constexpr const char* kRefresh = "; refreshed every provider_status interval.";

std::string Help(std::string_view what) { return std::string(what) + kRefresh; }

core::Error FieldError(const JsonObject& obj, std::string_view field, std::string_view problem) {
  return core::MakeError(
      core::ErrorReason::kParse,
      "GET " + obj.route() + ": field " + std::string(field) + ": " + std::string(problem));
}

const rapidjson::Value* Member(const JsonObject& obj, const char* name) {
  const auto it = obj.value().FindMember(name);
  return it == obj.value().MemberEnd() ? nullptr : &it->value;
}

// A nullable string: absent or null gives nullopt. Numbers arrive as their text (see json.h) and
// are accepted as strings.
core::Result<std::optional<std::string>> OptionalString(const JsonObject& obj, const char* name) {
  const rapidjson::Value* v = Member(obj, name);
  if (v == nullptr || v->IsNull()) return std::optional<std::string>();
  if (!v->IsString()) return FieldError(obj, name, "expected a string");
  return std::optional<std::string>(std::string(v->GetString(), v->GetStringLength()));
}

// isOnline: the Console sends `!!provider.isOnline`, always a boolean; null counts as offline.
core::Result<bool> OnlineFlag(const JsonObject& obj) {
  const rapidjson::Value* v = Member(obj, "isOnline");
  if (v == nullptr) return FieldError(obj, "isOnline", "missing");
  if (v->IsNull()) return false;
  if (!v->IsBool()) return FieldError(obj, "isOnline", "expected a boolean");
  return v->GetBool();
}

core::Result<std::optional<double>> Ratio(const JsonObject& obj, const char* name) {
  AKASH_COLL_ASSIGN_OR_RETURN(auto d, obj.OptionalDecimal(name));
  if (!d) return std::optional<double>();
  return std::optional<double>(d->ToDouble());
}

core::Result<CapacityItem> Item(const JsonObject& parent, const char* name) {
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject item, parent.Object(name));
  CapacityItem out;
  AKASH_COLL_ASSIGN_OR_RETURN(out.active, item.Decimal("active"));
  AKASH_COLL_ASSIGN_OR_RETURN(out.pending, item.Decimal("pending"));
  AKASH_COLL_ASSIGN_OR_RETURN(out.available, item.Decimal("available"));
  return out;
}

core::Result<std::vector<GpuModelInfo>> GpuModels(const JsonObject& root) {
  std::vector<GpuModelInfo> out;
  const rapidjson::Value* v = Member(root, "gpuModels");
  if (v == nullptr || v->IsNull()) return out;  // a provider without GPUs may omit the list
  if (!v->IsArray()) return FieldError(root, "gpuModels", "expected an array");
  for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
    const std::string path = "gpuModels[" + std::to_string(i) + "]";
    AKASH_COLL_ASSIGN_OR_RETURN(JsonObject entry, JsonObject::From((*v)[i], root.route(), path));
    GpuModelInfo m;
    // A snapshot node may lack a detail (memorySize is free text from the provider): "" then.
    AKASH_COLL_ASSIGN_OR_RETURN(auto vendor, OptionalString(entry, "vendor"));
    AKASH_COLL_ASSIGN_OR_RETURN(auto model, OptionalString(entry, "model"));
    AKASH_COLL_ASSIGN_OR_RETURN(auto ram, OptionalString(entry, "ram"));
    AKASH_COLL_ASSIGN_OR_RETURN(auto interface, OptionalString(entry, "interface"));
    m.vendor = vendor.value_or("");
    m.model = model.value_or("");
    m.ram = ram.value_or("");
    m.interface = interface.value_or("");
    // The Console already removes duplicates; a repeat here would be a duplicate series.
    bool seen = false;
    for (const GpuModelInfo& prior : out) seen = seen || prior == m;
    if (!seen) out.push_back(std::move(m));
  }
  return out;
}

void AddStates(FamilyBuilder& family, const Labels& base, const CapacityItem& item,
               int shift_down) {
  const std::pair<const char*, const core::Decimal*> states[] = {
      {"active", &item.active}, {"pending", &item.pending}, {"available", &item.available}};
  for (const auto& [state, value] : states) {
    Labels labels = base;
    labels.emplace_back("state", state);
    family.Add(labels, value->ShiftDown(shift_down).ToDouble());
  }
}

}  // namespace

std::string HostOfUri(std::string_view uri) {
  std::string_view rest = uri;
  if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) {
    rest.remove_prefix(scheme + 3);
  }
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  std::string_view host;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return "";
    host = rest.substr(0, close + 1);  // URL.hostname keeps the brackets of an IPv6 literal
  } else {
    host = rest.substr(0, rest.find(':'));
  }
  std::string out(host);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

core::Result<ProviderStatusData> ParseProviderStatus(std::string_view body,
                                                     std::string_view route) {
  auto doc = ParseJson(body, route);
  if (!doc.ok()) return std::move(doc).error();
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject root, JsonObject::From(*doc, std::string(route)));

  ProviderStatusData d;
  AKASH_COLL_ASSIGN_OR_RETURN(d.name, OptionalString(root, "name"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.host_uri, root.String("hostUri"));
  AKASH_COLL_ASSIGN_OR_RETURN(auto version, OptionalString(root, "akashVersion"));
  d.akash_version = version.value_or("");
  AKASH_COLL_ASSIGN_OR_RETURN(d.online, OnlineFlag(root));
  AKASH_COLL_ASSIGN_OR_RETURN(d.uptime_1d, Ratio(root, "uptime1d"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.uptime_7d, Ratio(root, "uptime7d"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.uptime_30d, Ratio(root, "uptime30d"));

  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject stats, root.Object("stats"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.cpu_milli, Item(stats, "cpu"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.gpu, Item(stats, "gpu"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.memory_bytes, Item(stats, "memory"));
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject storage, stats.Object("storage"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.ephemeral_bytes, Item(storage, "ephemeral"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.persistent_bytes, Item(storage, "persistent"));

  AKASH_COLL_ASSIGN_OR_RETURN(d.gpu_models, GpuModels(root));
  return d;
}

ProviderStatusSource::ProviderStatusSource(std::string console_api, std::string provider)
    : name_(core::kSourceProviderStatus),
      console_api_(std::move(console_api)),
      provider_(std::move(provider)) {}

core::Result<PollOutput> ProviderStatusSource::Poll(core::Fetcher& fetcher,
                                                    const PollContext& /*ctx*/) {
  core::Request request;
  request.url = JoinUrl(console_api_, "/v1/providers/" + provider_);
  request.headers.emplace_back("Accept", "application/json");
  auto response = fetcher.Get(request);
  if (!response.ok()) return std::move(response).error();
  // An address the Console does not know is 404 text/plain "Provider not found.": http_4xx.
  if (!IsSuccess(response->status)) return UpstreamHttpError(request, *response);

  auto data = ParseProviderStatus(response->body, core::UrlForLog(request.url));
  if (!data.ok()) return std::move(data).error();
  const ProviderStatusData& d = *data;

  const Labels p = {{"provider", provider_}};
  PollOutput out;
  auto& f = out.families;

  const std::string name = d.name && !d.name->empty() ? *d.name : HostOfUri(d.host_uri);
  f.push_back(GaugeFamily(
      "akash_provider_info",
      Help("Provider identity for legends and joins, always 1, from the Console API provider "
           "record (name: the Console's name, which is the host of hostUri, also while offline; "
           "hostUri; akashVersion)"),
      {{"provider", provider_},
       {"name", name},
       {"host_uri", d.host_uri},
       {"akash_version", d.akash_version}},
      1));
  f.push_back(GaugeFamily("akash_provider_online",
                          Help("1 while the Console's uptime checker reaches the provider, from "
                               "the Console API provider record (isOnline)"),
                          p, d.online ? 1 : 0));

  FamilyBuilder uptime("akash_provider_uptime_ratio",
                       Help("Share of the Console's uptime checks that succeeded over the window, "
                            "from the Console API provider record (uptime1d, uptime7d, "
                            "uptime30d); a window the Console sends as null is left out"),
                       prometheus::MetricType::Gauge);
  const std::pair<const char*, const std::optional<double>*> windows[] = {
      {"1d", &d.uptime_1d}, {"7d", &d.uptime_7d}, {"30d", &d.uptime_30d}};
  for (const auto& [window, value] : windows) {
    if (value->has_value()) uptime.Add({{"provider", provider_}, {"window", window}}, **value);
  }
  if (!uptime.empty()) f.push_back(std::move(uptime).Build());

  FamilyBuilder cpu("akash_provider_capacity_cpu_cores",
                    Help("vCPUs by state (active: leased, pending: reserved for leases being "
                         "created, available: free), from the Console API provider record "
                         "(stats.cpu / 1000) as of the Console's last successful status check"),
                    prometheus::MetricType::Gauge);
  AddStates(cpu, p, d.cpu_milli, 3);
  f.push_back(std::move(cpu).Build());
  FamilyBuilder gpus("akash_provider_capacity_gpus",
                     Help("GPUs by state (active, pending, available: free), from the Console API "
                          "provider record (stats.gpu) as of the last successful status check"),
                     prometheus::MetricType::Gauge);
  AddStates(gpus, p, d.gpu, 0);
  f.push_back(std::move(gpus).Build());
  FamilyBuilder memory("akash_provider_capacity_memory_bytes",
                       Help("Memory in bytes by state (active, pending, available: free), from the "
                            "Console API provider record (stats.memory) as of the last successful "
                            "status check"),
                       prometheus::MetricType::Gauge);
  AddStates(memory, p, d.memory_bytes, 0);
  f.push_back(std::move(memory).Build());
  FamilyBuilder storage("akash_provider_capacity_storage_bytes",
                        Help("Storage in bytes by class and state (active, pending, available: "
                             "free), from the Console API provider record (stats.storage."
                             "{ephemeral,persistent}) as of the last successful status check"),
                        prometheus::MetricType::Gauge);
  AddStates(storage, {{"provider", provider_}, {"class", "ephemeral"}}, d.ephemeral_bytes, 0);
  AddStates(storage, {{"provider", provider_}, {"class", "persistent"}}, d.persistent_bytes, 0);
  f.push_back(std::move(storage).Build());

  FamilyBuilder models("akash_provider_gpu_model_info",
                       Help("GPU models the provider offers, always 1, from the Console API "
                            "provider record (gpuModels of the last successful status check)"),
                       prometheus::MetricType::Gauge);
  for (const GpuModelInfo& m : d.gpu_models) {
    models.Add({{"provider", provider_},
                {"vendor", m.vendor},
                {"model", m.model},
                {"ram", m.ram},
                {"interface", m.interface}},
               1);
  }
  if (!models.empty()) f.push_back(std::move(models).Build());
  return out;
}

}  // namespace akash::collectors
