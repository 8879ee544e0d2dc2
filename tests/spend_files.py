"""The spend files the tests load: written by portal.spend_samples, which the demo shares."""

from portal.spend_samples import *  # noqa: F403
