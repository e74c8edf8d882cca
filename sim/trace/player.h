// A cursor over the steps of a trace, which may grow while it is shown (sync() takes in the new
// events). Jumps start from the nearest checkpoint.
#pragma once
#include <cstddef>
#include <optional>
#include <vector>

#include "trace/view.h"

namespace postlab {

inline constexpr std::size_t kCheckpointEvery = 64;  // events between saved view states

class Player {
 public:
  // Which events are steps (one press of →); the others are folded in silently.
  using StepFilter = bool (*)(EventKind);

  Player(const Trace& trace, ViewState initial, std::size_t checkpoint_every = kCheckpointEvery,
         StepFilter is_step_event = is_step);

  // Takes in the events the trace gained since the last call (the constructor takes in all there
  // are). With follow, a cursor that was at the end moves to the new end. Returns the new steps.
  std::size_t sync(bool follow = false);

  std::size_t steps() const { return step_events_.size(); }
  std::size_t cursor() const { return cursor_; }  // 0 = before anything, steps() = the end
  void seek(std::size_t step);
  void forward() { seek(cursor_ + 1); }
  void back() { seek(cursor_ > 0 ? cursor_ - 1 : 0); }
  void home() { seek(0); }
  void end() { seek(steps()); }

  const ViewState& view() const { return view_; }
  // The event of the current step (none at step 0).
  std::optional<std::size_t> current_event() const;
  std::size_t event_of_step(std::size_t step) const { return step_events_[step - 1]; }
  // The step that shows this event (the first step at or after it).
  std::size_t step_of_event(std::size_t event) const;
  std::size_t checkpoints() const { return checkpoints_.size(); }

 private:
  std::size_t target(std::size_t step) const;  // events folded in at that step

  const Trace& trace_;
  std::size_t every_;
  StepFilter filter_;
  ViewState tail_;                        // the state after every event taken in so far
  std::vector<std::size_t> step_events_;  // event index of each step
  std::vector<ViewState> checkpoints_;    // checkpoints_[i].applied == i * every_
  ViewState view_;
  std::size_t cursor_ = 0;
};

}  // namespace postlab
