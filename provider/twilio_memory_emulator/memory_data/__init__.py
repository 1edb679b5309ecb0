"""Memory's data plane (``/v1/Stores/{storeId}/Profiles``): profiles, identity resolution,
trait values, observations, summaries and Recall, over the control plane's stores."""
