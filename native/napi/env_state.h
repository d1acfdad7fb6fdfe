// Everything the addon holds for one environment (the main thread, or a worker): napi instance
// data, freed when the environment is. Objects handed to JS (handles, monitors, packet queues) are
// finalized with the environment too; their uv handles are closed earlier, by `handles`.
#pragma once

#include <napi.h>

#include <memory>

#include "napi/dispatcher.h"
#include "napi/handover.h"
#include "napi/poll_handle.h"
#include "netlink/netns_ref.h"
#include "netlink/owner_sockets.h"

namespace netdev {

struct EnvState {
  Napi::FunctionReference netnsCtor;  // NetnsHandle's constructor (netns_handle.h)
  std::shared_ptr<NetnsRef> current;  // the namespace this environment started in
  LoopHandles handles;                // every uv handle of this environment (poll_handle.h)
  HandedOver handedOver;              // fds handed to JS (handover.h)
  OwnerSockets owners;                // sockets that own nf_tables tables (owner_sockets.h)
  Dispatcher dispatcher;              // netlink I/O threads (dispatcher.h)

  // Makes the state of env (its instance data): registers the uv handles' cleanup hook and opens
  // the namespace the environment starts in, and the netlink dispatcher. Throws a JS error if either fails.
  static EnvState* Create(Napi::Env env);
};

inline EnvState* State(Napi::Env env) { return env.GetInstanceData<EnvState>(); }

}  // namespace netdev
