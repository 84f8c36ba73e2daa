#!/usr/bin/env python3
"""The callee behaviours of issue 21, as simulator scenarios, and their scores from its reports.

  behaviours.py scenario CALLS SEED LINE   > scenario.json   (LINE: clean, echo alone, or 20 or 10 dB SNR with echo)
  behaviours.py numbers CALLS              > numbers.json
  behaviours.py score REPORTS_DIR

Each call: a backchannel over the greeting; an answer with a pause inside it (two calls in three)
or a plain one; a real interruption over the first reply; a short complete answer after the
second; the third reply says goodbye. Every utterance is labelled, and the labels only score what
the agent did: the agent hears nothing but the audio.
"""
import glob
import json
import random
import sys

# "um hum" is how flite says "mm-hm": it spells "mm hmm" out as letters.
BACKCHANNELS = ["uh huh", "yeah", "okay", "um hum", "right", "sure"]
INTERRUPTIONS = [
    "Wait, actually Tuesday doesn't work for me.",
    "Sorry, can I ask something first?",
    "Hold on, how much will this cost?",
    "No wait, I am not available tomorrow.",
    "Actually, could we do the afternoon instead?",
    "Excuse me, who is calling again?",
]
# The first half ends as the unfinished turns do: cut off, on a filler, on a conjunction.
PAUSED = [("I'd like the", "morning one, please."), ("Let me see, um", "Thursday is better."),
          ("My husband and", "I usually come together.")]
SHORT = ["Yes.", "That works.", "No thanks."]
PLAIN = "Hi, yes, speaking."
# The line under everything: noise at an SNR (dB) and the agent's echo at -20 dB, 60-200 ms late.
ECHO = {"echoDb": -20, "echoDelayMs": [60, 200]}
LINES = {"clean": None, "echo": ECHO, "20": {"noiseSnrDb": 20, **ECHO}, "10": {"noiseSnrDb": 10, **ECHO}}


def number(i):
    return "+1415555%04d" % i


def script(rng, i):
    steps = [{"say": rng.choice(BACKCHANNELS), "afterAgentStartsMs": rng.randint(600, 2200),
              "lengthMs": rng.randint(150, 800), "label": "backchannel"}]
    if i % 3 != 2:
        first, second = rng.choice(PAUSED)
        steps += [{"say": first, "afterAgentSilenceMs": 700, "label": "pause-start"},
                  {"silenceMs": rng.randint(400, 1000)},
                  {"say": second, "immediately": True, "label": "pause-end"}]
    else:
        steps.append({"say": PLAIN, "afterAgentSilenceMs": 700, "label": "answer"})
    steps.append({"say": rng.choice(INTERRUPTIONS), "afterAgentStartsMs": rng.randint(300, 1800),
                  "label": "interruption"})
    steps.append({"say": rng.choice(SHORT), "afterAgentSilenceMs": 700, "label": "short"})
    return steps


def scenario(calls, seed, line):
    rng = random.Random(seed)
    default = {"ringSeconds": 0.2, "hangupAfterSeconds": 90, "voice": "flite:rms"}
    if LINES[line] is not None:
        default["line"] = LINES[line]
    numbers = {number(i): {"script": script(rng, i)} for i in range(calls)}
    return {"callsPerSecond": 100, "seed": seed, "default": default, "numbers": numbers}


def pct(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def score(reports):
    counts = {k: 0 for k in ["backchannel", "backchannel over agent", "false interrupt", "interruption",
                             "interruption over agent", "interruption cut", "interruption outlasted", "pause",
                             "premature", "short", "unexplained"]}
    to_clear, to_quiet, v2v, gaps = [], [], [], []
    for path in sorted(glob.glob(f"{reports}/CA*.json")):
        timeline = json.load(open(path))["timeline"]
        clears = [e["tMs"] for e in timeline if e["source"] == "agent" and e["event"] == "clear"]
        heard = [e["tMs"] for e in timeline if e["source"] == "callee" and e["event"] == "hears agent"]
        silent = [e["tMs"] for e in timeline if e["source"] == "callee" and e["event"] == "agent silent"]
        said = [e for e in timeline if e["event"] == "starts speaking" and "label" in e]
        pause_started = None
        for e in said:
            onset = e["tMs"] + e.get("leadMs", 0)
            end = onset + e.get("voicedMs", 0)
            label = e["label"]
            if label == "backchannel":
                counts["backchannel"] += 1
                if e.get("bargeIn"):
                    counts["backchannel over agent"] += 1
                    window = [c for c in clears if onset <= c <= end + 1500]
                    counts["false interrupt"] += bool(window)
                    # Held, not cut: the agent fell silent over it and went on within 3 s.
                    for s in (s for s in silent if onset <= s <= end + 1500 and not window):
                        resumed = [h for h in heard if s < h <= s + 3000]
                        if resumed:
                            gaps.append(resumed[0] - s)
                            break
            elif label == "interruption":
                counts["interruption"] += 1
                if not e.get("bargeIn"):
                    continue
                counts["interruption over agent"] += 1
                cut = [c for c in clears if onset <= c <= onset + 4000]
                if not cut:
                    counts["interruption outlasted"] += 1  # the agent finished before it yielded
                    continue
                counts["interruption cut"] += 1
                to_clear.append(cut[0] - onset)
                # The agent stops at the silence still in effect at the clear (its audio was held
                # before it), or at the first after it.
                held = [s for s in silent if onset <= s <= cut[0] and not any(s < h <= cut[0] for h in heard)]
                quiet = held or [s for s in silent if s >= cut[0]]
                if quiet:
                    to_quiet.append(quiet[0] - onset)
            elif label == "pause-start":
                pause_started = end
            elif label == "pause-end" and pause_started is not None:
                counts["pause"] += 1
                counts["premature"] += any(pause_started < h < end for h in heard)
                pause_started = None
            elif label == "short":
                counts["short"] += 1
                answer = [h for h in heard if h >= end]
                if answer:
                    v2v.append(answer[0] - end)
        # Silences mid-reply (the agent went on, with no callee speech in between) that no callee
        # speech explains: holds on line noise or echo.
        spans = [(e["tMs"], e["tMs"] + e.get("leadMs", 0) + e.get("voicedMs", 0) + 1500) for e in said]
        for s in silent:
            resumed = [h for h in heard if s < h <= s + 3000]
            if (resumed and not any(a <= s <= b for a, b in spans)
                    and not any(s <= a <= resumed[0] for a, _ in spans)):
                counts["unexplained"] += 1
    print(f"{len(glob.glob(f'{reports}/CA*.json'))} calls")
    print(f"  backchannels that cut the agent (false interrupts)      {counts['false interrupt']} of "
          f"{counts['backchannel over agent']} over the agent ({counts['backchannel']} said)")
    print(f"  backchannels that held the agent, then let it go on      {len(gaps)} (the gap heard, p50 / p99 ms: "
          f"{pct(gaps, .5)} / {pct(gaps, .99)})")
    print(f"  agent silent mid-reply, no callee speech to explain it   {counts['unexplained']}")
    print(f"  real interruptions that cut the agent                   {counts['interruption cut']} of "
          f"{counts['interruption over agent']} over the agent ({counts['interruption outlasted']} outlasted, "
          f"{counts['interruption']} said)")
    print(f"  onset -> clear sent, p50 / p99 ms                       {pct(to_clear, .5)} / {pct(to_clear, .99)}")
    print(f"  onset -> agent audio stops at the callee, p50 / p99 ms  {pct(to_quiet, .5)} / {pct(to_quiet, .99)}")
    print(f"  turns answered before the callee finished (premature)  {counts['premature']} of {counts['pause']}")
    print(f"  voice to voice on short complete answers, p50 / p90 ms  {pct(v2v, .5)} / {pct(v2v, .9)} "
          f"({len(v2v)} of {counts['short']} answered)")


def main():
    command = sys.argv[1]
    if command == "scenario":
        print(json.dumps(scenario(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]), indent=1))
    elif command == "numbers":
        print(json.dumps([number(i) for i in range(int(sys.argv[2]))]))
    elif command == "score":
        score(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
