// The meaning of each front-panel LED, relay, fan and button as tern-core uses them, in one
// place: the core's board control sets the bits by these names, and every view of the panel
// (tern-board's `panel` and live panel, the docs) labels them from these tables, bit 0 first,
// so a bit has one name and one position everywhere.
// The board itself gives only LED 7 a fixed meaning (the SAFE lamp, lit in the safe state).
#pragma once

#include <array>
#include <cstdint>

namespace tern::hw::legend {

// LEDs (LED register, led_o).
inline constexpr unsigned kLedEdgeLive0 = 0;  // LEDs 0..3: edge n (registry order) is live
inline constexpr unsigned kLedAlarm = 4;      // an alarm is not yet acknowledged
inline constexpr unsigned kLedOverTemp = 5;   // the cabinet is over temperature ...
inline constexpr unsigned kLedOnBackup = 5;   // ... or runs on backup power (the display says
                                              // which: "PFAL" while on backup)
inline constexpr unsigned kLedGateway = 6;    // the core has its gateway (broker) link
inline constexpr unsigned kLedSafe = 7;       // the board is in its safe state (hardware)
inline constexpr std::array<const char*, 8> kLeds = {"edge 0 live", "edge 1 live", "edge 2 live",
                                                     "edge 3 live", "alarm",       "hot / on UPS",
                                                     "gateway",     "SAFE"};

// Relays (RELAY register, relay_o).
inline constexpr unsigned kRelayEdgeDown = 0;  // an edge is down
inline constexpr unsigned kRelayAlarm = 1;     // an alarm is not yet acknowledged
inline constexpr unsigned kRelayBackup = 2;    // backup-power transfer: energised while the UPS
                                               // reports mains failure (CABINET_STATUS)
inline constexpr std::array<const char*, 4> kRelays = {"edge down", "alarm", "backup pwr",
                                                       "(unused)"};

// Fans (FAN register, fan_o).
inline constexpr unsigned kFanProcessing = 0;  // base airflow, more while work is queued
inline constexpr std::array<const char*, 2> kFans = {"processing", "(unused)"};

// Meters (METER register, meter_o).
inline constexpr unsigned kMeterIngest = 0;     // chunks taken from uplinks per second
inline constexpr unsigned kMeterStoreFill = 1;  // the live stores' used / capacity
inline constexpr std::array<const char*, 2> kMeters = {"ingest rate", "store fill"};

// Buttons (PANEL_IN.btn).
inline constexpr unsigned kButtonAck = 0;       // acknowledges every alarm so far
inline constexpr unsigned kButtonShutdown = 3;  // held kShutdownHoldMs: the core's orderly stop
inline constexpr unsigned kShutdownHoldMs = 3000;
inline constexpr std::array<const char*, 4> kButtons = {"ack alarms", "(unused)", "(unused)",
                                                        "safe stop"};

}  // namespace tern::hw::legend
