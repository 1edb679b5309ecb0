"""The API's routes: each parses a request (path, query, headers, body judged by Twilio's spec,
then the wire models), calls one method of the :class:`~twilio_memory_emulator.backend.Backend`
and renders what it returns. No rules here. A route is data (:class:`.route.ApiRoute`): the app
lists the templates without a backend and binds the endpoints to one."""
