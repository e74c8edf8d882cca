#include "trace/player.h"

#include <algorithm>

namespace postlab {

Player::Player(const Trace& trace, StepFilter is_step_event) : trace_(trace), filter_(is_step_event) { sync(); }

std::size_t Player::sync(bool follow) {
  const bool at_end = cursor_ == steps();
  const std::size_t before = steps();
  const auto& events = trace_.events();
  for (; taken_ < events.size(); ++taken_)
    if (filter_(events[taken_])) {
      step_events_.push_back(static_cast<std::uint32_t>(taken_));
      if (is_timer(events[taken_])) timer_steps_.push_back(static_cast<std::uint32_t>(step_events_.size()));
    }
  // The last step (and step 0 while there is none) shows every event after it too, so what it
  // shows changes when events are added: seek again.
  seek(follow && at_end ? steps() : cursor_);
  return steps() - before;
}

std::size_t Player::target(std::size_t step) const {
  if (step >= steps()) return taken_;  // every event taken in, bookkeeping after the last step too
  if (step == 0) return step_events_[0];  // the set-up before the first step
  return step_events_[step - 1] + 1;
}

void Player::seek(std::size_t step) {
  cursor_ = std::min(step, steps());
  applied_ = target(cursor_);
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

std::size_t Player::step_at_time(SimTime t) const {
  // Events are in time order, so the steps are too.
  const auto& events = trace_.events();
  auto it = std::upper_bound(step_events_.begin(), step_events_.end(), t,
                             [&](SimTime time, std::uint32_t e) { return time < events[e].time; });
  return static_cast<std::size_t>(it - step_events_.begin());
}

std::optional<std::size_t> Player::next_timer_step() const {
  auto it = std::upper_bound(timer_steps_.begin(), timer_steps_.end(), cursor_);
  if (it == timer_steps_.end()) return std::nullopt;
  return *it;
}

}  // namespace postlab
