#include "trace/player.h"

#include <algorithm>

namespace postlab {

Player::Player(const Trace& trace, ViewState initial, std::size_t checkpoint_every, StepFilter is_step_event)
    : trace_(trace), every_(std::max<std::size_t>(1, checkpoint_every)), filter_(is_step_event),
      tail_(initial), view_(std::move(initial)) {
  checkpoints_.push_back(tail_);
  sync();
}

std::size_t Player::sync(bool follow) {
  const bool at_end = cursor_ == steps();
  const std::size_t before = steps();
  const auto& events = trace_.events();
  for (std::size_t i = tail_.applied; i < events.size(); ++i) {
    if (filter_(events[i].kind)) step_events_.push_back(i);
    tail_.apply(trace_, events[i]);
    if (tail_.applied % every_ == 0) checkpoints_.push_back(tail_);
  }
  // The last step shows every event after it too, so what a step shows can change when events are
  // added after it: fold again to the step (from the view or a checkpoint).
  seek(follow && at_end ? steps() : cursor_);
  return steps() - before;
}

std::size_t Player::target(std::size_t step) const {
  if (step == 0) return 0;
  if (step >= steps()) return tail_.applied;  // every event taken in, bookkeeping after the last step too
  return step_events_[step - 1] + 1;
}

void Player::seek(std::size_t step) {
  step = std::min(step, steps());
  const std::size_t want = target(step);
  // Forward by less than a checkpoint interval: fold on from here. Otherwise start from a checkpoint.
  if (want < view_.applied || want - view_.applied > every_) view_ = checkpoints_[want / every_];
  const auto& events = trace_.events();
  while (view_.applied < want) view_.apply(trace_, events[view_.applied]);
  cursor_ = step;
}

std::optional<std::size_t> Player::current_event() const {
  if (cursor_ == 0) return std::nullopt;
  return step_events_[cursor_ - 1];
}

std::size_t Player::step_of_event(std::size_t event) const {
  auto it = std::lower_bound(step_events_.begin(), step_events_.end(), event);
  // Bookkeeping events after the last step are shown by the last step (it folds in the whole trace).
  return std::min(static_cast<std::size_t>(it - step_events_.begin()) + 1, steps());
}

}  // namespace postlab
