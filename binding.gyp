{
  "targets": [
    {
      "target_name": "netdev",
      "sources": [
        "native/sys/netns.cc",
        "native/sys/sockets.cc",
        "native/sys/sysctl.cc",
        "native/netlink/netns_ref.cc",
        "native/netlink/nlsock.cc",
        "native/netlink/owner_sockets.cc",
        "native/napi/dispatcher.cc",
        "native/napi/env_state.cc",
        "native/napi/handover.cc",
        "native/napi/js_args.cc",
        "native/napi/napi_error.cc",
        "native/napi/netns_handle.cc",
        "native/napi/ns_arg.cc",
        "native/napi/poll_handle.cc",
        "native/rtnl/codec.cc",
        "native/rtnl/codec_addr.cc",
        "native/rtnl/codec_link.cc",
        "native/rtnl/codec_neigh.cc",
        "native/rtnl/codec_nsid.cc",
        "native/rtnl/codec_route.cc",
        "native/rtnl/codec_rule.cc",
        "native/rtnl/codec_util.cc",
        "native/rtnl/contract.cc",
        "native/rtnl/kind_tables.cc",
        "native/rtnl/kinds.cc",
        "native/packet/packet_queue.cc",
        "native/packet/poller.cc",
        "native/packet/tapdev.cc",
        "native/packet/tun.cc",
        "native/events/monitor.cc",
        "native/api/constants.cc",
        "native/api/device_ops.cc",
        "native/api/netlink_ops.cc",
        "native/api/netns_ops.cc",
        "native/api/rtnl_ops.cc",
        "native/api/sys_ops.cc",
        "native/addon.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS", "_GNU_SOURCE"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-fstack-protector-strong", "-fPIC"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Werror", "-Wno-missing-field-initializers",
                    "-fstack-protector-strong", "-D_FORTIFY_SOURCE=2", "-D_GLIBCXX_ASSERTIONS"],
      "ldflags": ["-Wl,-z,relro", "-Wl,-z,now", "-Wl,-z,noexecstack"],
      "conditions": [
        ["OS!='linux'", { "sources": [] }]
      ]
    },
    {
      "target_name": "netdev-exec",
      "type": "executable",
      "sources": ["native/tools/netns_exec.cc"],
      "defines": ["_GNU_SOURCE"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-fstack-protector-strong", "-D_FORTIFY_SOURCE=2", "-O2", "-fPIE"],
      "ldflags": ["-pie", "-Wl,-z,relro", "-Wl,-z,now", "-Wl,-z,noexecstack"]
    }
  ]
}
