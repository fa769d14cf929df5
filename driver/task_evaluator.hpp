// Evaluates campaign tasks: generates the sample, runs the model, records the outcome.
#pragma once

#include <cstdint>
#include <vector>

#include "driver/campaign_config.hpp"
#include "driver/result_batch.hpp"
#include "storage/campaign_store.hpp"
#include "storage/run_numbering.hpp"

namespace tmex::driver {

/// Turns task ids into result rows. One per thread (holds scratch buffers).
class TaskEvaluator {
 public:
  TaskEvaluator(const CampaignConfig& config, const CampaignSetup& setup, int rank);

  /// Evaluates task (a run id: storage::RunNumbering of the config) with the model of its arm
  /// and appends one row to `batch`.
  /// Never throws for model failures: they become a status and an error text.
  /// Failed evaluations (other than invalid parameters) are retried up to
  /// execution.max_retries times.
  void evaluate(std::uint64_t task, ResultBatch& batch);

  /// Appends a failed row for `task` without evaluating it (the watchdog's time-outs).
  void record_failure(std::uint64_t task, models::EvalStatus status, const std::string& reason,
                      double elapsed_s, ResultBatch& batch);

 private:
  const CampaignConfig& config_;
  const CampaignSetup& setup_;
  int rank_;
  storage::RunNumbering numbering_;
  const ArmSetup* arm_ = nullptr;  // the arm of the task being evaluated
  std::vector<double> unit_, values_, full_;
  models::EvalResult result_;

  void prepare(std::uint64_t task);
  double evaluate_once(std::uint64_t task);
  void append_row(std::uint64_t task, double elapsed_s, std::uint16_t attempts, ResultBatch& batch);
};

/// Converts a batch to store rows.
std::vector<storage::RunRecord> to_records(const ResultBatch& batch, const CampaignConfig& config,
                                           std::size_t trajectory_values);

}  // namespace tmex::driver
