// Writes synthetic stores of a campaign with arms (one store with an arm column, or one store per
// arm) for timing `tmex analyze` and `tmex compare` on them.
//
// Usage: arms_store_bench DIR [SAMPLES=20000] [ARMS=8] [K=19] [M=14]. Writes DIR/arms.db (one
// campaign with ARMS arms) and DIR/arm1.db .. DIR/armARMS.db (the same samples, one store per
// arm, as separate single-arm campaigns would make them), straight through
// storage::CampaignStore (no MPI, no model). Inputs are uniform on [0, 1] from a counter-based
// hash of the sample (so every arm and store has the same samples); output j of arm a is
// y_j = sum_i b_ij x_i + 0.2 e_j (the same e in every arm: common random numbers)
// - 0.3 a x_(j mod K) (arm a lowers it where parameter j mod K is high); outputs with j % 5 == 4
// are 0/1 (y > 2). bench/compare_stores.sh builds these stores and times the commands.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/bench_support.hpp"
#include "storage/campaign_store.hpp"

namespace {

using tmex::bench::uniform;

tmex::storage::CampaignMeta meta_of(std::uint64_t samples, std::size_t k, std::size_t m,
                                    const std::string& name) {
  auto meta = tmex::bench::synthetic_campaign_meta(name, samples, k, m);
  meta.output_better.assign(m, "lower");
  return meta;
}

tmex::storage::RunRecord run_of(std::uint64_t s, std::uint32_t arm, std::size_t k, std::size_t m) {
  tmex::storage::RunRecord r;
  r.sample = s;
  r.status = "ok";
  for (std::size_t i = 0; i < k; ++i) r.parameters.push_back(uniform(s, i));
  for (std::size_t j = 0; j < m; ++j) {
    double y = 0.2 * (uniform(s, 1000 + j) - 0.5);
    for (std::size_t i = 0; i < k; ++i)
      y += (1.0 + static_cast<double>((i + j) % 3)) / static_cast<double>(k) * r.parameters[i];
    y -= 0.3 * arm * r.parameters[j % k];
    r.outputs.push_back(j % 5 == 4 ? (y > 2.0 ? 1.0 : 0.0) : y);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [SAMPLES=20000] [ARMS=8] [K=19] [M=14]\n", argv[0]);
    return 2;
  }
  try {
    const std::filesystem::path dir = argv[1];
    const std::uint64_t samples = argc > 2 ? std::stoull(argv[2]) : 20000;
    const auto arms = static_cast<std::uint32_t>(argc > 3 ? std::stoul(argv[3]) : 8);
    const std::size_t k = argc > 4 ? std::stoul(argv[4]) : 19;
    const std::size_t m = argc > 5 ? std::stoul(argv[5]) : 14;
    std::filesystem::create_directories(dir);
    const auto start = std::chrono::steady_clock::now();
    auto meta = meta_of(samples, k, m, "arms");
    for (std::uint32_t a = 0; a < arms; ++a) {
      meta.arms.push_back({"arm" + std::to_string(a + 1),
                           a == 0 ? "{}" : "{settings: {a: " + std::to_string(a) + "}}"});
    }
    std::filesystem::remove(dir / "arms.db");
    auto combined = tmex::storage::CampaignStore::create((dir / "arms.db").string(), meta);
    std::vector<tmex::storage::CampaignStore> separate;
    for (std::uint32_t a = 0; a < arms; ++a) {
      const auto path = dir / ("arm" + std::to_string(a + 1) + ".db");
      std::filesystem::remove(path);
      auto single = meta_of(samples, k, m, "arm" + std::to_string(a + 1));
      single.config += "model.settings.a: " + std::to_string(a) + "\n";
      separate.push_back(tmex::storage::CampaignStore::create(path.string(), single));
    }
    constexpr std::uint64_t kBatch = 5000;
    for (std::uint64_t first = 0; first < samples; first += kBatch) {
      std::vector<tmex::storage::RunRecord> batch;
      std::vector<std::vector<tmex::storage::RunRecord>> per_arm(arms);
      for (std::uint64_t s = first; s < std::min(samples, first + kBatch); ++s) {
        for (std::uint32_t a = 0; a < arms; ++a) {
          auto r = run_of(s, a, k, m);
          per_arm[a].push_back(r);
          r.arm = a;
          batch.push_back(std::move(r));
        }
      }
      combined.append(batch);
      for (std::uint32_t a = 0; a < arms; ++a) separate[a].append(per_arm[a]);
    }
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf(
        "wrote %s/arms.db and %u single-arm stores: %llu samples x %u arms, %zu parameters, %zu "
        "outputs in %.1f s\n",
        dir.c_str(), arms, static_cast<unsigned long long>(samples), arms, k, m, s);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "arms_store_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
