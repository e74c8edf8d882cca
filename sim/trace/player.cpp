#include "trace/player.h"

#include <algorithm>

namespace postlab {

Player::Player(const Trace& trace, ViewState initial, std::size_t checkpoint_every)
    : trace_(trace), every_(std::max<std::size_t>(1, checkpoint_every)), view_(initial) {
  const auto& events = trace_.events();
  for (std::size_t i = 0; i < events.size(); ++i)
    if (is_step(events[i].kind)) step_events_.push_back(i);
  ViewState v = std::move(initial);
  checkpoints_.push_back(v);
  for (std::size_t i = 0; i < events.size(); ++i) {
    v.apply(trace_, events[i]);
    if (v.applied % every_ == 0) checkpoints_.push_back(v);
  }
}

std::size_t Player::target(std::size_t step) const {
  if (step == 0) return 0;
  if (step >= steps()) return trace_.size();
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
