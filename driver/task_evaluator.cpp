// TaskEvaluator: sample generation, model call with retries, status and timing for one task.
#include "driver/task_evaluator.hpp"

#include <chrono>
#include <cmath>
#include <exception>

#include "sampling/counter_hash.hpp"

namespace tmex::driver {

namespace {

// Longest failure reason stored per run: a model may say anything (an external program's
// output, a list of keys), and the reason is stored in every failed row and grouped by status.
constexpr std::size_t kMaxReasonChars = 2000;

std::string bounded_reason(const std::string& reason) {
  if (reason.size() <= kMaxReasonChars) return reason;
  // Cut on a UTF-8 character boundary.
  std::size_t cut = kMaxReasonChars;
  while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
  return reason.substr(0, cut) + "... (" + std::to_string(reason.size() - cut) +
         " more characters)";
}

}  // namespace

TaskEvaluator::TaskEvaluator(const CampaignConfig& config, const CampaignSetup& setup, int rank)
    : config_(config),
      setup_(setup),
      rank_(rank),
      numbering_(config.numbering()),
      arm_(&setup.arms.front()),
      unit_(config.parameters.size()),
      values_(config.parameters.size()),
      full_(arm_->base_parameters) {}

void TaskEvaluator::prepare(std::uint64_t task) {
  const std::uint64_t sample = numbering_.sample(task);
  arm_ = &setup_.arms.at(numbering_.arm(task));
  setup_.design->unit_point(sample, unit_);
  setup_.space.transform(unit_, values_);
  full_ = arm_->base_parameters;
  for (std::size_t j = 0; j < values_.size(); ++j) {
    if (arm_->parameter_slots[j] != CampaignSetup::kDummy) {
      full_[arm_->parameter_slots[j]] = values_[j];
    }
  }
}

double TaskEvaluator::evaluate_once(std::uint64_t task) {
  using Clock = std::chrono::steady_clock;
  models::EvalContext ctx;
  ctx.sample = numbering_.sample(task);
  ctx.replicate = numbering_.replicate(task);
  // Common random numbers: the stream does not depend on the arm, so a stochastic model sees the
  // same noise in every arm of a sample and replicate.
  ctx.stream_seed = sampling::evaluation_stream_seed(config_.seed, ctx.sample, ctx.replicate);
  const auto start = Clock::now();
  if (config_.execution.evaluation_timeout_s > 0.0) {
    ctx.deadline =
        start + std::chrono::duration_cast<Clock::duration>(
                    std::chrono::duration<double>(config_.execution.evaluation_timeout_s));
  }
  result_.status = models::EvalStatus::kOk;
  result_.reason.clear();
  result_.outputs.clear();
  result_.trajectories.clear();
  try {
    arm_->model->evaluate(full_, ctx, result_);
  } catch (const std::exception& e) {
    result_.fail(models::EvalStatus::kException, std::string("model threw: ") + e.what());
  } catch (...) {
    result_.fail(models::EvalStatus::kException, "model threw a non-standard exception");
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const std::size_t n_out = arm_->model->info().outputs.size();
  if (result_.status == models::EvalStatus::kOk && result_.outputs.size() != n_out) {
    result_.fail(models::EvalStatus::kException, "model returned " +
                                                     std::to_string(result_.outputs.size()) +
                                                     " outputs, expected " + std::to_string(n_out));
  }
  if (result_.status == models::EvalStatus::kOk && ctx.deadline && Clock::now() > *ctx.deadline) {
    result_.fail(models::EvalStatus::kTimeout,
                 "evaluation took " + std::to_string(elapsed) + " s, more than the " +
                     std::to_string(config_.execution.evaluation_timeout_s) + " s time-out");
  }
  if (result_.status == models::EvalStatus::kOk) {
    for (std::size_t slot : arm_->output_slots) {
      if (!std::isfinite(result_.outputs[slot])) {
        result_.fail(models::EvalStatus::kNonFinite,
                     "output '" + arm_->model->info().outputs[slot].name + "' is " +
                         (std::isnan(result_.outputs[slot]) ? "NaN" : "infinite"));
        break;
      }
    }
  }
  return elapsed;
}

void TaskEvaluator::evaluate(std::uint64_t task, ResultBatch& batch) {
  prepare(task);
  double elapsed = 0.0;
  std::uint16_t attempts = 0;
  const std::uint32_t max_attempts = 1 + config_.execution.max_retries;
  do {
    elapsed += evaluate_once(task);
    ++attempts;
  } while (result_.status != models::EvalStatus::kOk &&
           result_.status != models::EvalStatus::kInvalidParameters && attempts < max_attempts);
  append_row(task, elapsed, attempts, batch);
}

void TaskEvaluator::record_failure(std::uint64_t task, models::EvalStatus status,
                                   const std::string& reason, double elapsed_s,
                                   ResultBatch& batch) {
  prepare(task);
  result_.outputs.clear();
  result_.trajectories.clear();
  result_.fail(status, reason);
  append_row(task, elapsed_s, 1, batch);
}

void TaskEvaluator::append_row(std::uint64_t task, double elapsed_s, std::uint16_t attempts,
                               ResultBatch& batch) {
  const bool ok = result_.status == models::EvalStatus::kOk;
  batch.tasks.push_back(task);
  batch.blocks.push_back(setup_.design->block(numbering_.sample(task)));
  batch.status.push_back(static_cast<std::uint8_t>(result_.status));
  batch.attempts.push_back(attempts);
  batch.parameters.insert(batch.parameters.end(), values_.begin(), values_.end());
  for (std::size_t slot : arm_->output_slots) {
    batch.outputs.push_back(slot < result_.outputs.size() ? result_.outputs[slot] : std::nan(""));
  }
  const std::size_t n_traj =
      arm_->model->info().trajectory_variables.size() * config_.model_spec.trajectory_times.size();
  if (n_traj > 0) {
    if (ok && result_.trajectories.size() == n_traj) {
      batch.trajectories.insert(batch.trajectories.end(), result_.trajectories.begin(),
                                result_.trajectories.end());
    } else {
      batch.trajectories.insert(batch.trajectories.end(), n_traj, std::nan(""));
    }
  }
  batch.elapsed_s.push_back(elapsed_s);
  if (!ok) {
    batch.error_rows.push_back(static_cast<std::uint32_t>(batch.tasks.size() - 1));
    batch.error_texts.push_back(result_.reason.empty() ? models::to_string(result_.status)
                                                       : bounded_reason(result_.reason));
  }
  batch.rank = rank_;
}

std::vector<storage::RunRecord> to_records(const ResultBatch& batch, const CampaignConfig& config,
                                           std::size_t trajectory_values) {
  const std::size_t np = config.parameters.size();
  const std::size_t no = config.outputs.size();
  const storage::RunNumbering numbering = config.numbering();
  std::vector<storage::RunRecord> out(batch.size());
  for (std::size_t r = 0; r < batch.size(); ++r) {
    storage::RunRecord& rec = out[r];
    rec.sample = numbering.sample(batch.tasks[r]);
    rec.arm = numbering.arm(batch.tasks[r]);
    rec.replicate = numbering.replicate(batch.tasks[r]);
    rec.block = batch.blocks[r];
    rec.status = models::to_string(static_cast<models::EvalStatus>(batch.status[r]));
    rec.attempts = batch.attempts[r];
    rec.parameters.assign(batch.parameters.begin() + static_cast<std::ptrdiff_t>(r * np),
                          batch.parameters.begin() + static_cast<std::ptrdiff_t>((r + 1) * np));
    rec.outputs.assign(batch.outputs.begin() + static_cast<std::ptrdiff_t>(r * no),
                       batch.outputs.begin() + static_cast<std::ptrdiff_t>((r + 1) * no));
    if (trajectory_values > 0) {
      const auto b = static_cast<std::ptrdiff_t>(r * trajectory_values);
      rec.trajectories.assign(
          batch.trajectories.begin() + b,
          batch.trajectories.begin() + b + static_cast<std::ptrdiff_t>(trajectory_values));
    }
    rec.elapsed_s = batch.elapsed_s[r];
    rec.rank = batch.rank;
  }
  for (std::size_t e = 0; e < batch.error_rows.size(); ++e) {
    out[batch.error_rows[e]].error = batch.error_texts[e];
  }
  return out;
}

}  // namespace tmex::driver
