"""Built-in plugins, written exactly as a third-party plugin would be.

Every module here is registered by ``pacer_spiders.plugin_manager`` (modules whose name starts
with ``_`` are skipped).  Built-in hook implementations are ``trylast``.
"""
