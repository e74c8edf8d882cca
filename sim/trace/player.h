// A cursor over the steps of a trace, which may grow while it is shown (sync() takes in the new
// steps). A seek only moves the cursor: what it shows is read from the trace's interval tables
// (StateView), so its cost does not depend on the trace's length or on how far it jumps.
#pragma once
#include <cstddef>
#include <optional>
#include <vector>

#include "trace/view.h"

namespace postlab {

class Player {
 public:
  // Which events are steps (one press of →); the others are folded in silently.
  using StepFilter = bool (*)(const TraceEvent&);

  explicit Player(const Trace& trace, StepFilter is_step_event = is_step);

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

  // What the user sees at the cursor: every event up to the current step's, and the set-up before
  // the first step (at step 0) or every event taken in (at the last step).
  StateView view() const { return StateView(trace_, applied_); }
  std::size_t applied() const { return applied_; }
  // The event of the current step (none at step 0).
  std::optional<std::size_t> current_event() const;
  std::size_t event_of_step(std::size_t step) const { return step_events_[step - 1]; }
  // The step that shows this event (the first step at or after it).
  std::size_t step_of_event(std::size_t event) const;
  // The last step that happened at or before virtual time t (0 when none did): "jump to day 5".
  std::size_t step_at_time(SimTime t) const;
  // The next step after the cursor whose event a timer made happen (a retry, a warning, an expiry, a
  // fault starting or ending), or nullopt: the queue's clock, one jump at a time.
  std::optional<std::size_t> next_timer_step() const;
  // Memory the player holds beyond the trace.
  std::size_t bytes() const { return (step_events_.capacity() + timer_steps_.capacity()) * sizeof(std::uint32_t); }

 private:
  std::size_t target(std::size_t step) const;  // events folded in at that step

  const Trace& trace_;
  StepFilter filter_;
  std::size_t taken_ = 0;                   // trace events looked at so far
  std::vector<std::uint32_t> step_events_;  // event index of each step
  std::vector<std::uint32_t> timer_steps_;  // the steps whose event a timer made happen, ascending
  std::size_t cursor_ = 0;
  std::size_t applied_ = 0;
};

}  // namespace postlab
