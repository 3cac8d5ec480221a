from .urls_outputs import urlpatterns as output_urls
from .urls_proposals import urlpatterns as proposal_urls
from .urls_review import urlpatterns as review_urls

app_name = "commendations"

# A unit's proposals and their dossiers (proposal_views), the Sở Nội vụ's review and the
# council (review_views), the Tờ trình, the decision and the certificates (output_views).
urlpatterns = proposal_urls + review_urls + output_urls
