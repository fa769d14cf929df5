// Writes a synthetic campaign store (N runs, k parameters, m outputs) for timing `tmex analyze`.
//
// Usage: analyze_store_bench PATH [RUNS=1000000] [K=20] [M=10]. The store is written straight
// through storage::CampaignStore (no MPI, no model): inputs uniform on [0, 1] from a
// counter-based hash, outputs y_j = sum_i b_ij x_i + 0.3 sin(2 pi x_j) + 0.2 e, and runs with
// x1 > 0.995 stored as failed (non_finite), so the analysis also tests failure dependence.
// bench/analyze_store.sh builds this store and times `tmex analyze` on it.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <numbers>
#include <string>
#include <vector>

#include "bench/bench_support.hpp"
#include "storage/campaign_store.hpp"

namespace {

using tmex::bench::uniform;

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PATH [RUNS=1000000] [K=20] [M=10]\n", argv[0]);
    return 2;
  }
  try {
    const std::string path = argv[1];
    const std::uint64_t runs = argc > 2 ? std::stoull(argv[2]) : 1000000;
    const std::size_t k = argc > 3 ? std::stoul(argv[3]) : 20;
    const std::size_t m = argc > 4 ? std::stoul(argv[4]) : 10;
    const auto start = std::chrono::steady_clock::now();
    const auto meta = tmex::bench::synthetic_campaign_meta("analyze-bench", runs, k, m);
    auto store = tmex::storage::CampaignStore::create(path, meta);

    constexpr std::uint64_t kBatch = 50000;
    std::vector<tmex::storage::RunRecord> batch(kBatch);
    for (auto& r : batch) {
      r.parameters.resize(k);
      r.outputs.resize(m);
    }
    for (std::uint64_t first = 0; first < runs; first += kBatch) {
      const std::uint64_t n = std::min(kBatch, runs - first);
      for (std::uint64_t b = 0; b < n; ++b) {
        auto& r = batch[b];
        r.sample = first + b;
        for (std::size_t i = 0; i < k; ++i) r.parameters[i] = uniform(r.sample, i);
        const bool failed = r.parameters[0] > 0.995;
        r.status = failed ? "non_finite" : "ok";
        r.error = failed ? "y1 is NaN" : "";
        for (std::size_t j = 0; j < m; ++j) {
          double y = 0.3 * std::sin(2.0 * std::numbers::pi * r.parameters[j % k]);
          for (std::size_t i = 0; i < k; ++i) {
            y += static_cast<double>(static_cast<int>((i + 3 * j) % 7) - 3) * r.parameters[i];
          }
          y += 0.2 * (uniform(r.sample, 1000 + j) - 0.5);
          r.outputs[j] = failed ? std::nan("") : y;
        }
      }
      store.append(std::span(batch.data(), n));
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("wrote %s: %llu runs, %zu parameters, %zu outputs in %.1f s (%.0f MiB)\n",
                path.c_str(), static_cast<unsigned long long>(runs), k, m, seconds,
                static_cast<double>(std::filesystem::file_size(path)) / (1024.0 * 1024.0));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "analyze_store_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
